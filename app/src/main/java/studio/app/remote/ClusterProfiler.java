package studio.app.remote;

import studio.engine.protocol.RunnerEvent;
import studio.app.cluster.ClusterHost;
import studio.app.cluster.RemoteRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import studio.app.project.ClusterSettings;
import studio.engine.model.ModelDescription;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.DoubleConsumer;

/**
 * Profiling on the cluster: runs the runner's {@code profile-hardware} on every node together (node 0 writes the
 * files) or {@code profile-model} on the first node, turns their progress events into a fraction done, and fetches
 * the files into the studio's measured-profiles folder. Blocking; callers run it off the FX thread.
 */
public final class ClusterProfiler {
    /** How much to measure; {@link #galvatronDefaults()} is what Galvatron's scripts use. */
    public record Options(int batchSize, int warmup, int iters, double bandwidthSizeMb, String spSizesMb, int commIters, String python) {
        public static Options galvatronDefaults() {
            return new Options(8, 10, 10, 64, "1,2,4,8,16,32,64,128,256,512,1024", 10, "python3");
        }
    }

    /** The files fetched home, and what the runner's sanity checks flagged. */
    public record Result(List<Path> files, List<String> findings) {
        public Result {
            files = List.copyOf(files);
            findings = List.copyOf(findings);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunnerClient client;
    private final SshSettings ssh;
    private final Executor executor;

    public ClusterProfiler(RunnerClient client, Path knownHosts, HostKeyPolicy policy, Executor executor) {
        this(client, SshSettings.of(knownHosts, policy), executor);
    }

    public ClusterProfiler(RunnerClient client, SshSettings ssh, Executor executor) {
        this.client = client;
        this.ssh = ssh;
        this.executor = executor;
    }

    /** Measures the hardware of {@code hosts} (one node each) and fetches the four files into {@code into}. */
    public Result profileHardware(List<ClusterHost> hosts, ClusterSettings s, Options o, Path into, DoubleConsumer progress)
            throws IOException, InterruptedException {
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (int rank = 1; rank < hosts.size(); rank++) {
            final int r = rank;
            others.add(CompletableFuture.runAsync(() -> {
                try (SshConnection c = SshConnection.open(hosts.get(r), ssh)) {
                    client.ensureRunner(c);
                    client.profile(c, hardwareArgs(c, hosts, s, o, r), e -> { });
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, executor));
        }
        List<Path> local = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        try (SshConnection c = SshConnection.open(hosts.get(0), ssh)) {
            client.ensureRunner(c);
            List<String> files = client.profile(c, hardwareArgs(c, hosts, s, o, 0), e -> watch(e, progress, findings));
            for (String f : files) local.add(fetch(c, f, into));
        }
        for (CompletableFuture<Void> f : others) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            }
        }
        return new Result(local, findings);
    }

    /** Measures the model's layer on the first host and fetches its two files into {@code into}. */
    public Result profileModel(ClusterHost host, ModelDescription model, Path modelFile, ClusterSettings s, Options o, Path into,
                                   DoubleConsumer progress) throws IOException {
        try (SshConnection c = SshConnection.open(host, ssh)) {
            client.ensureRunner(c);
            String remoteModel = client.uploadModelConfig(c, modelFile);
            List<String> args = modelArgs(remoteModel, model, client.profileDir(c, "model"), s, o);
            List<String> findings = new ArrayList<>();
            List<String> files = client.profile(c, args, e -> watch(e, progress, findings));
            List<Path> local = new ArrayList<>();
            for (String f : files) local.add(fetch(c, f, into));
            return new Result(local, findings);
        }
    }

    /** Stops the profiles running on {@code hosts}; their measurements so far are kept for a resume. */
    public void cancel(List<ClusterHost> hosts) throws IOException {
        for (ClusterHost h : hosts) {
            try (SshConnection c = SshConnection.open(h, ssh)) {
                client.cancelProfiles(c);
            }
        }
    }

    private List<String> hardwareArgs(SshConnection c, List<ClusterHost> hosts, ClusterSettings s, Options o, int rank) throws IOException {
        return hardwareArgs(client.profileDir(c, "hardware"), hosts.size(), s.gpusPerNode(), rank, hosts.get(0).host(), o);
    }

    /** The runner's {@code profile-hardware} for node {@code rank} of {@code nodes} (over SSH, or as a Slurm job's step). */
    public static List<String> hardwareArgs(String output, int nodes, int gpusPerNode, int rank, String master, Options o) {
        return List.of("profile-hardware", "--output", output, "--nnodes", String.valueOf(nodes),
                "--nproc-per-node", String.valueOf(gpusPerNode), "--node-rank", String.valueOf(rank), "--master-addr", master,
                "--python", o.python(), "--size-mb", String.valueOf(o.bandwidthSizeMb()), "--sp-sizes-mb", o.spSizesMb(),
                "--iters", String.valueOf(o.commIters()));
    }

    /** The runner's {@code profile-model} of {@code model} (its description at {@code modelConfig} on the node). */
    public static List<String> modelArgs(String modelConfig, ModelDescription model, String output, ClusterSettings s, Options o) {
        return List.of("profile-model", "--model-config", modelConfig, "--model-name", model.name(),
                "--output", output, "--mixed-precision", s.mixedPrecision(),
                "--profile-batch-size", String.valueOf(o.batchSize()),
                "--profile-seq-length-list", String.valueOf(model.maxSeqLength()),
                "--max-tp", String.valueOf(Math.min(8, Integer.highestOneBit(Math.max(1, s.worldSize())))),
                "--warmup", String.valueOf(o.warmup()), "--iters", String.valueOf(o.iters()));
    }

    private static Path fetch(SshConnection c, String remote, Path into) throws IOException {
        Path local = into.resolve(remote.substring(remote.lastIndexOf('/') + 1));
        c.download(remote, local);
        return local;
    }

    static void watch(JsonNode e, DoubleConsumer progress, List<String> findings) {
        fraction(e).ifPresent(progress::accept);
        if (RunnerEvent.of(e) == RunnerEvent.WARNING) findings.add(e.path("message").asText());
    }

    /** done/of from a model progress event, or from the torch program's progress line inside a hardware one. */
    public static java.util.OptionalDouble fraction(JsonNode e) {
        if (RunnerEvent.of(e) != RunnerEvent.PROFILE_PROGRESS) return java.util.OptionalDouble.empty();
        JsonNode n = e;
        if (e.has("line")) {
            try {
                n = JSON.readTree(e.path("line").asText());
            } catch (IOException ex) {
                return java.util.OptionalDouble.empty();
            }
        }
        int of = n.path("of").asInt(0);
        return of > 0 ? java.util.OptionalDouble.of(Math.min(1.0, n.path("done").asDouble() / of)) : java.util.OptionalDouble.empty();
    }
}
