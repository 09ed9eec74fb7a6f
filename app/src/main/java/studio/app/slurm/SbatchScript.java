package studio.app.slurm;

import studio.app.cluster.SlurmSettings;
import studio.engine.launch.GalvatronCommand;
import studio.engine.launch.ShellWords;
import studio.app.remote.TrainRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The batch script of a plan's run: resources from the plan's cluster and the Slurm settings, one step per node
 * running the runner's {@code train --in-job} (so the events, the run folder and the preflight checks are an SSH
 * run's), torchrun's rendezvous on the first node of {@code SLURM_JOB_NODELIST}, Galvatron's NUM_NODES, NODE_RANK,
 * MASTER_ADDR and MASTER_PORT per node, and the NCCL environment. Shown to the user to read and edit before it goes.
 */
public final class SbatchScript {
    /** The runner options the script sets from Slurm's own variables on each node. */
    private static final Set<String> PER_NODE = Set.of("--nnodes", "--node-rank", "--master-addr", "--master-port");

    private SbatchScript() {
    }

    /**
     * @param jobName      Slurm's job name
     * @param nodes        the plan's nodes
     * @param planGpus     the plan's GPUs per node (the settings may ask for another count)
     * @param jobDir       the job's folder on the shared filesystem (made before submitting)
     * @param runnerJar    the runner on the shared filesystem
     * @param request      what to train
     * @param configFile   the plan's galvatron_config beside the script (null for the smoke trainer)
     * @param about        one line saying which plan this is (a comment in the script)
     */
    public static String render(SlurmSettings s, String jobName, int nodes, int planGpus, String jobDir, String runnerJar,
                                TrainRequest request, String configFile, String about) {
        return render(s, jobName, nodes, planGpus, jobDir, runnerJar, request.masterPort(), about, stepCommand(request, configFile));
    }

    /**
     * A profile as a job: the runner's {@code profile-hardware} on every node (its rank and master from Slurm) or
     * {@code profile-model} on one; the events go where a training job's go.
     *
     * @param runnerArgs the profile command, with any node's rank and master (the script sets them per node)
     */
    public static String renderProfile(SlurmSettings s, String jobName, int nodes, int planGpus, String jobDir, String runnerJar,
                                       List<String> runnerArgs, String about) {
        // a multi-node profile (profile-hardware) names its rank and master; the script gives each node its own
        String perNode = runnerArgs.contains("--node-rank")
                ? " --nnodes \"$NUM_NODES\" --node-rank \"$NODE_RANK\" --master-addr \"$MASTER_ADDR\"" : "";
        String step = "export NODE_RANK=$SLURM_NODEID; exec java -jar \"$RUNNER\" " + ShellWords.command(withoutPerNode(runnerArgs)) + perNode;
        return render(s, jobName, nodes, planGpus, jobDir, runnerJar, 29500, about, step);
    }

    private static String render(SlurmSettings s, String jobName, int nodes, int planGpus, String jobDir, String runnerJar, int masterPort,
                                 String about, String stepCommand) {
        int gpus = s.gpusPerNode() != null ? s.gpusPerNode() : planGpus;
        StringBuilder b = new StringBuilder("#!/bin/bash\n");
        directive(b, "--job-name", jobName);
        directive(b, "--nodes", String.valueOf(nodes));
        directive(b, "--ntasks-per-node", "1");
        if (gpus > 0) directive(b, "--gpus-per-node", String.valueOf(gpus));
        if (!s.timeLimit().isEmpty()) directive(b, "--time", s.timeLimit());
        if (!s.partition().isEmpty()) directive(b, "--partition", s.partition());
        if (!s.account().isEmpty()) directive(b, "--account", s.account());
        if (!s.qos().isEmpty()) directive(b, "--qos", s.qos());
        if (!s.constraint().isEmpty()) directive(b, "--constraint", s.constraint());
        if (s.exclusive()) b.append("#SBATCH --exclusive\n");
        directive(b, "--chdir", jobDir);
        directive(b, "--output", jobDir + "/slurm-%j.out");
        b.append("# Written by Galvatron Studio: ").append(about.replace('\n', ' ')).append('\n');
        b.append("# Edit freely: the studio submits this text as it is shown.\n");
        b.append("set -euo pipefail\n");
        for (String line : s.jobSetup()) b.append(line).append('\n');
        b.append("export JOB_DIR=").append(ShellWords.quote(jobDir)).append('\n');
        b.append("export RUNNER=").append(ShellWords.quote(runnerJar)).append('\n');
        b.append("# torchrun's rendezvous and Galvatron's launcher variables: the first node is the master\n");
        b.append("export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\n");
        b.append("export MASTER_PORT=").append(masterPort).append('\n');
        b.append("export NUM_NODES=$SLURM_JOB_NUM_NODES\n");
        // the job's own setup (above) wins
        GalvatronCommand.batchDefaults().forEach((k, v) -> b.append("export ").append(k).append("=${").append(k).append(":-").append(v).append("}\n"));
        List<String> srun = new ArrayList<>(List.of("srun", "--ntasks-per-node=1", "--kill-on-bad-exit=1"));
        if (s.inContainer()) {
            srun.add("--container-image=" + s.containerImage());
            if (!s.containerMounts().isEmpty()) srun.add("--container-mounts=" + s.containerMounts());
        }
        // %n: the node's index in the job; node 0's events are what the studio follows
        srun.add("--output=" + jobDir + "/node-%n.events");
        b.append("echo \"job $SLURM_JOB_ID on $SLURM_JOB_NODELIST, master $MASTER_ADDR:$MASTER_PORT\"\n");
        b.append(ShellWords.command(srun)).append(" \\\n    bash -c ").append(ShellWords.quote(stepCommand)).append('\n');
        return b.toString();
    }

    /** What each node's step runs: its rank from Slurm, then the runner in the foreground until the run ends. */
    static String stepCommand(TrainRequest request, String configFile) {
        List<String> args = withoutPerNode(request.args(0, 1, "", configFile));
        return "export NODE_RANK=$SLURM_NODEID; exec java -jar \"$RUNNER\" train --in-job --runs-dir \"$JOB_DIR/runs\""
                + " --nnodes \"$NUM_NODES\" --node-rank \"$NODE_RANK\" --master-addr \"$MASTER_ADDR\" --master-port \"$MASTER_PORT\" "
                + ShellWords.command(args);
    }

    /** The options the script sets from Slurm's variables on each node, taken out with their values. */
    private static List<String> withoutPerNode(List<String> all) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (PER_NODE.contains(all.get(i))) {
                i++; // and its value
                continue;
            }
            args.add(all.get(i));
        }
        return args;
    }

    private static void directive(StringBuilder b, String option, String value) {
        if (value.contains("\n")) throw new IllegalArgumentException("Slurm " + option + ": one line, got a newline");
        b.append("#SBATCH ").append(option).append('=').append(value).append('\n');
    }
}
