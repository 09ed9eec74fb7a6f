package studio.app.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import studio.app.cluster.KubernetesSettings;
import studio.app.cluster.KubernetesSettings.ManifestKind;
import studio.engine.launch.GalvatronCommand;
import studio.engine.launch.ShellWords;
import studio.engine.launch.TrainingLaunch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plan's run as Kubernetes objects for {@code kubectl apply -f}: the plan's config as a ConfigMap, and either a
 * Kubeflow PyTorchJob (one master and nodes - 1 workers; the training operator gives each pod torchrun's {@code PET_*}
 * rendezvous) or, without the operator, an indexed Job whose pods find the first through a headless Service. Each pod
 * runs Galvatron's torchrun command from the image's model folder, the same command the runner starts on an SSH node
 * ({@link GalvatronCommand}), with the GPUs of one node, memory-backed {@code /dev/shm}, and the same environment.
 */
public final class KubernetesManifest {
    /** Where every pod finds the ConfigMap's files. */
    public static final String CONFIG_MOUNT = "/etc/galvatron-studio";
    /** The operator's names: it reads the container and port named so (training-operator v1, {@code PyTorchJobDefault*}). */
    static final String CONTAINER = "pytorch";
    static final String PORT_NAME = "pytorchjob-port";
    /** The pod's own folder a Hugging Face checkpoint is converted into before training. */
    static final String CONVERTED = "/tmp/galvatron-converted";
    /** How long a worker waits for the first pod's name to resolve before torchrun gives up on it. */
    static final int MASTER_WAIT_S = 600;

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).build());
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private KubernetesManifest() {
    }

    /**
     * What the pods train and where.
     *
     * @param name        the job's name (a DNS label; pods and the Service are named after it)
     * @param launch      the training, its config at {@link #CONFIG_MOUNT}/{@code configFile}
     * @param configFile  the config's file name in the ConfigMap; null: none (GLOBAL-mode flags)
     * @param configJson  its text
     * @param conversion  Hugging Face checkpoints in and out; null: none
     * @param about       one line saying which plan this is
     */
    public record Job(String name, int nodes, int gpusPerNode, int masterPort, TrainingLaunch launch, String configFile, String configJson,
                      Conversion conversion, String about) {
        public Job {
            if (!name.matches("[a-z]([-a-z0-9]{0,43}[a-z0-9])?")) {
                throw new IllegalArgumentException("Kubernetes job name: expected lower-case letters, digits and '-' starting with a letter "
                        + "(at most 45, so the pods' names stay DNS labels), got '" + name + "'");
            }
            if (nodes < 1 || gpusPerNode < 1) throw new IllegalArgumentException("Kubernetes job: at least one node of at least one GPU");
        }
    }

    /**
     * Galvatron's checkpoint converters around the run.
     *
     * @param hfCheckpoint converted to Galvatron's format on each pod before training (null: none)
     * @param exportHf     the last save converted back by the first pod after training (null: none)
     */
    public record Conversion(String python, String modelType, String hfCheckpoint, String exportHf) {
    }

    /** A DNS label from a plan's name ("Llama 7B, 2x8" → "llama-7b-2x8"), for {@link Job#name}. */
    public static String jobName(String planName) {
        String s = planName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))) s = "galvatron-" + s;
        if (s.length() > 45) s = s.substring(0, 45);
        return s.replaceAll("-+$", "");
    }

    /** The objects as one YAML stream, ConfigMap first (the pods mount it). */
    public static String render(KubernetesSettings s, Job job) {
        List<ObjectNode> docs = new ArrayList<>();
        docs.add(configMap(s, job));
        if (s.kind() == ManifestKind.INDEXED_JOB) {
            docs.add(headlessService(s, job));
            docs.add(indexedJob(s, job));
        } else {
            docs.add(pyTorchJob(s, job));
        }
        StringBuilder b = new StringBuilder();
        b.append("# Written by Galvatron Studio: ").append(job.about().replace('\n', ' ')).append('\n');
        b.append("# ").append(s.kind()).append(" of ").append(job.nodes()).append(" pod(s) x ").append(job.gpusPerNode())
                .append(" GPU(s); apply with: kubectl apply -f <this file>\n");
        try {
            for (ObjectNode d : docs) b.append("---\n").append(YAML.writeValueAsString(d));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing the manifest", e);
        }
        return b.toString();
    }

    /** An object of the job: its API version, kind, name, namespace and the studio's labels. */
    private static ObjectNode object(String apiVersion, String kind, String name, KubernetesSettings s, Job job) {
        ObjectNode o = NODES.objectNode();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        metadata(o, s, name, job);
        return o;
    }

    private static ObjectNode metadata(ObjectNode parent, KubernetesSettings s, String name, Job job) {
        ObjectNode m = parent.putObject("metadata");
        m.put("name", name);
        m.put("namespace", s.namespace());
        ObjectNode labels = m.putObject("labels");
        labels.put("app.kubernetes.io/managed-by", "galvatron-studio");
        labels.put("galvatron-studio/job", job.name());
        return m;
    }

    static ObjectNode configMap(KubernetesSettings s, Job job) {
        ObjectNode c = object("v1", "ConfigMap", job.name() + "-config", s, job);
        ObjectNode data = c.putObject("data");
        if (job.configFile() != null) data.put(job.configFile(), job.configJson());
        data.put("launch.sh", podScript(s, job));
        return c;
    }

    static ObjectNode headlessService(KubernetesSettings s, Job job) {
        ObjectNode svc = object("v1", "Service", job.name(), s, job);
        ObjectNode spec = svc.putObject("spec");
        spec.put("clusterIP", "None");
        // the workers resolve the first pod before it is ready
        spec.put("publishNotReadyAddresses", true);
        spec.putObject("selector").put("job-name", job.name());
        ObjectNode port = spec.putArray("ports").addObject();
        port.put("name", PORT_NAME);
        port.put("port", job.masterPort());
        port.put("targetPort", job.masterPort());
        return svc;
    }

    static ObjectNode indexedJob(KubernetesSettings s, Job job) {
        ObjectNode j = object("batch/v1", "Job", job.name(), s, job);
        ObjectNode spec = j.putObject("spec");
        spec.put("completionMode", "Indexed");
        spec.put("completions", job.nodes());
        spec.put("parallelism", job.nodes());
        // a pod that fails breaks the static rendezvous of all: fail the job, do not restart one pod
        spec.put("backoffLimit", 0);
        Map<String, String> rendezvous = new LinkedHashMap<>();
        rendezvous.put("PET_NNODES", String.valueOf(job.nodes()));
        rendezvous.put("PET_NPROC_PER_NODE", String.valueOf(job.gpusPerNode()));
        // pod <job>-0 under the Service's subdomain
        rendezvous.put("PET_MASTER_ADDR", job.name() + "-0." + job.name() + "." + s.namespace() + ".svc");
        rendezvous.put("PET_MASTER_PORT", String.valueOf(job.masterPort()));
        ObjectNode template = podTemplate(s, job, rendezvous, true);
        ObjectNode podSpec = (ObjectNode) template.get("spec");
        podSpec.put("subdomain", job.name());
        spec.set("template", template);
        return j;
    }

    static ObjectNode pyTorchJob(KubernetesSettings s, Job job) {
        ObjectNode j = object("kubeflow.org/v1", "PyTorchJob", job.name(), s, job);
        ObjectNode spec = j.putObject("spec");
        // with it the operator sets PET_NPROC_PER_NODE and a world of nodes x GPUs
        spec.put("nprocPerNode", String.valueOf(job.gpusPerNode()));
        ObjectNode run = spec.putObject("runPolicy");
        run.put("backoffLimit", 0);
        // the pods stay for their logs
        run.put("cleanPodPolicy", "None");
        ObjectNode replicas = spec.putObject("pytorchReplicaSpecs");
        replica(replicas, "Master", 1, s, job);
        if (job.nodes() > 1) replica(replicas, "Worker", job.nodes() - 1, s, job);
        return j;
    }

    private static void replica(ObjectNode replicas, String type, int count, KubernetesSettings s, Job job) {
        ObjectNode r = replicas.putObject(type);
        r.put("replicas", count);
        r.put("restartPolicy", "Never");
        r.set("template", podTemplate(s, job, Map.of(), false));
    }

    /** One node's pod: the image's model folder, the GPUs, the config and the launch script, shared memory, the claim. */
    private static ObjectNode podTemplate(KubernetesSettings s, Job job, Map<String, String> rendezvous, boolean indexed) {
        ObjectNode t = NODES.objectNode();
        ObjectNode labels = t.putObject("metadata").putObject("labels");
        labels.put("app.kubernetes.io/managed-by", "galvatron-studio");
        labels.put("galvatron-studio/job", job.name());
        ObjectNode spec = t.putObject("spec");
        if (indexed) spec.put("restartPolicy", "Never");
        if (!s.imagePullSecret().isEmpty()) spec.putArray("imagePullSecrets").addObject().put("name", s.imagePullSecret());
        if (!s.nodeSelector().isEmpty()) {
            ObjectNode sel = spec.putObject("nodeSelector");
            for (String line : s.nodeSelector()) {
                String[] kv = KubernetesSettings.pair(line, "Kubernetes node selector", "key=value");
                sel.put(kv[0], kv[1]);
            }
        }
        ObjectNode c = spec.putArray("containers").addObject();
        c.put("name", CONTAINER);
        c.put("image", s.image());
        c.put("workingDir", s.modelDir());
        c.putArray("command").add("bash").add(CONFIG_MOUNT + "/launch.sh");
        ObjectNode port = c.putArray("ports").addObject();
        port.put("name", PORT_NAME);
        port.put("containerPort", job.masterPort());
        ArrayNode env = c.putArray("env");
        for (var e : environment(s, rendezvous).entrySet()) env.addObject().put("name", e.getKey()).put("value", e.getValue());
        if (indexed) {
            // the Job controller's index of this pod is its node rank
            ObjectNode rank = env.addObject();
            rank.put("name", "PET_NODE_RANK");
            rank.putObject("valueFrom").putObject("fieldRef").put("fieldPath", "metadata.annotations['batch.kubernetes.io/job-completion-index']");
        }
        ObjectNode resources = c.putObject("resources");
        resources.putObject("limits").put(s.gpuResource(), String.valueOf(job.gpusPerNode()));
        resources.putObject("requests").put(s.gpuResource(), String.valueOf(job.gpusPerNode()));
        ArrayNode mounts = c.putArray("volumeMounts");
        mounts.addObject().put("name", "galvatron-config").put("mountPath", CONFIG_MOUNT).put("readOnly", true);
        mounts.addObject().put("name", "shm").put("mountPath", "/dev/shm");
        if (!s.volumeClaim().isEmpty()) mounts.addObject().put("name", "data").put("mountPath", s.mountPath());
        ArrayNode volumes = spec.putArray("volumes");
        ObjectNode config = volumes.addObject();
        config.put("name", "galvatron-config");
        config.putObject("configMap").put("name", job.name() + "-config");
        ObjectNode shm = volumes.addObject();
        shm.put("name", "shm");
        shm.putObject("emptyDir").put("medium", "Memory").put("sizeLimit", s.sharedMemoryGi() + "Gi");
        if (!s.volumeClaim().isEmpty()) {
            ObjectNode data = volumes.addObject();
            data.put("name", "data");
            data.putObject("persistentVolumeClaim").put("claimName", s.volumeClaim());
        }
        return t;
    }

    /** The runtime's environment (as on an SSH node), a batch launch's defaults (as a Slurm step's), the rendezvous, then the user's lines. */
    static Map<String, String> environment(KubernetesSettings s, Map<String, String> rendezvous) {
        Map<String, String> env = new LinkedHashMap<>(GalvatronCommand.runtimeEnvironment(null));
        env.putAll(GalvatronCommand.batchDefaults());
        env.putAll(rendezvous);
        for (String line : s.environment()) {
            String[] kv = KubernetesSettings.pair(line, "Kubernetes environment", "NAME=value");
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    /**
     * What each pod runs from the model folder: Galvatron's launcher variables from torchrun's rendezvous, a wait for
     * the first pod's name, the optional conversion in, the training, the optional conversion out on the first pod.
     */
    static String podScript(KubernetesSettings s, Job job) {
        StringBuilder b = new StringBuilder("set -euo pipefail\n");
        b.append("# Galvatron's launcher variables, from torchrun's rendezvous (the operator's or the manifest's PET_* variables)\n");
        b.append("export NUM_NODES=\"$PET_NNODES\" NUM_GPUS_PER_NODE=\"$PET_NPROC_PER_NODE\" NODE_RANK=\"$PET_NODE_RANK\"\n");
        b.append("export MASTER_ADDR=\"$PET_MASTER_ADDR\" MASTER_PORT=\"$PET_MASTER_PORT\"\n");
        b.append("echo \"node $NODE_RANK of $NUM_NODES, master $MASTER_ADDR:$MASTER_PORT\"\n");
        b.append("if [ \"$NODE_RANK\" != 0 ]; then\n");
        b.append("  waited=0\n");
        b.append("  until getent hosts \"$MASTER_ADDR\" >/dev/null; do\n");
        b.append("    [ $waited -ge ").append(MASTER_WAIT_S).append(" ] && { echo \"$MASTER_ADDR did not resolve in ").append(MASTER_WAIT_S)
                .append(" s\" >&2; exit 1; }\n");
        b.append("    sleep 2; waited=$((waited + 2))\n");
        b.append("  done\n");
        b.append("fi\n");
        Conversion conv = job.conversion();
        TrainingLaunch launch = job.launch();
        if (conv != null && conv.hfCheckpoint() != null) {
            b.append(ShellWords.command(GalvatronCommand.convertIn(conv.python(), s.modelDir(), conv.modelType(), conv.hfCheckpoint(), CONVERTED)))
                    .append('\n');
        }
        b.append(ShellWords.command(GalvatronCommand.train(launch, null))).append('\n');
        if (conv != null && conv.exportHf() != null && launch.save() != null) {
            b.append("if [ \"$NODE_RANK\" = 0 ]; then ")
                    .append(ShellWords.command(GalvatronCommand.convertOut(conv.python(), s.modelDir(), conv.modelType(), launch, conv.exportHf())))
                    .append("; fi\n");
        }
        return b.toString();
    }
}
