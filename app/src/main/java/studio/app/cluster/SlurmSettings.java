package studio.app.cluster;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How jobs go to a Slurm cluster through its login node: the job's resources and policy (account, partition, QoS,
 * time limit, constraint, exclusive, GPUs per node), its container (Pyxis/enroot image and mounts), the lines that set
 * up its environment (modules, exports), the working folder on the shared filesystem, and what the login node needs
 * before the Slurm commands work there (a {@code module load slurm}, say).
 *
 * @param gpusPerNode  GPUs requested per node; null: the plan's
 * @param timeLimit    Slurm's formats ({@code minutes}, {@code HH:MM:SS}, {@code D-HH:MM}, ...); empty: the partition's default
 * @param workDir      the folder on the shared filesystem every node sees (the runner, job scripts, configs, runs)
 * @param jobSetup     shell lines at the top of the job script (module loads, exports, a virtual environment)
 * @param loginSetup   shell lines run on the login node before each Slurm command
 */
public record SlurmSettings(String account, String partition, String qos, String timeLimit, String constraint, boolean exclusive,
                            Integer gpusPerNode, String containerImage, String containerMounts, List<String> jobSetup, String workDir,
                            List<String> loginSetup) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.+:@-]*");
    private static final Pattern CONSTRAINT = Pattern.compile("[A-Za-z0-9_.,|&*\\[\\]()-]*");
    private static final Pattern TIME = Pattern.compile("|\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d+|\\d+-\\d+:\\d{1,2}|\\d+-\\d+:\\d{1,2}:\\d{1,2}|UNLIMITED|INFINITE");
    private static final Pattern NO_SPACE = Pattern.compile("\\S*");

    public SlurmSettings {
        account = account == null ? "" : account.strip();
        partition = partition == null ? "" : partition.strip();
        qos = qos == null ? "" : qos.strip();
        timeLimit = timeLimit == null ? "" : timeLimit.strip();
        constraint = constraint == null ? "" : constraint.strip();
        containerImage = containerImage == null ? "" : containerImage.strip();
        containerMounts = containerMounts == null ? "" : containerMounts.strip();
        workDir = workDir == null ? "" : workDir.strip();
        jobSetup = jobSetup == null ? List.of() : List.copyOf(jobSetup);
        loginSetup = loginSetup == null ? List.of() : List.copyOf(loginSetup);
        check("account", account, NAME, "letters, digits and _ . + : @ -");
        check("partition", partition, NAME, "letters, digits and _ . + : @ -");
        check("QoS", qos, NAME, "letters, digits and _ . + : @ -");
        check("time limit", timeLimit, TIME, "minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS");
        check("constraint", constraint, CONSTRAINT, "node features joined by & | , [ ] ( ) *");
        check("container image", containerImage, NO_SPACE, "an image without spaces");
        check("container mounts", containerMounts, NO_SPACE, "SRC:DST[,SRC:DST...] without spaces");
        if (gpusPerNode != null && (gpusPerNode < 0 || gpusPerNode > 64)) {
            throw new IllegalArgumentException("Slurm GPUs per node: expected 0 to 64, got " + gpusPerNode);
        }
        if (workDir.isEmpty()) throw new IllegalArgumentException("Slurm working folder: expected a folder on the shared filesystem, got nothing");
        if (!(workDir.startsWith("/") || workDir.startsWith("~/")) || workDir.contains("\n") || workDir.contains("'")) {
            throw new IllegalArgumentException("Slurm working folder: expected an absolute path (or ~/...) without quotes or newlines, got '" + workDir + "'");
        }
        for (String line : jobSetup) if (line.contains("\n")) throw new IllegalArgumentException("Slurm job setup: one shell line each");
        for (String line : loginSetup) if (line.contains("\n")) throw new IllegalArgumentException("Slurm login setup: one shell line each");
    }

    private static void check(String what, String value, Pattern allowed, String expected) {
        if (!allowed.matcher(value).matches()) {
            throw new IllegalArgumentException("Slurm " + what + ": expected " + expected + ", got '" + value + "'");
        }
    }

    /** Nothing set but the working folder (the partition's defaults decide the rest). */
    public static SlurmSettings defaults(String workDir) {
        return new SlurmSettings("", "", "", "", "", false, null, "", "", List.of(), workDir, List.of());
    }

    public boolean inContainer() { return !containerImage.isEmpty(); }
}
