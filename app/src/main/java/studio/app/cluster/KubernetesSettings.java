package studio.app.cluster;

import java.util.List;
import java.util.regex.Pattern;

/**
 * How a plan runs on Kubernetes: as a Kubeflow PyTorchJob (the training operator sets torchrun's rendezvous on each pod)
 * or as a plain indexed Job with a headless Service (clusters without the operator); the namespace, the container image
 * holding Galvatron (and the model folder in it), the GPU resource, the volume claim with data and checkpoints, the
 * shared memory NCCL and the data loaders need, node selectors and extra environment.
 *
 * @param modelDir        Galvatron's model folder inside the image ({@code .../galvatron/models/llama_hf}, 3.0: {@code .../models/gpt})
 * @param volumeClaim     a PersistentVolumeClaim mounted on every pod (data, checkpoints); empty: none
 * @param sharedMemoryGi  the size of {@code /dev/shm} (a memory-backed emptyDir)
 * @param nodeSelector    {@code key=value} lines
 * @param environment     {@code NAME=value} lines added to every pod's environment
 */
public record KubernetesSettings(ManifestKind kind, String namespace, String image, String imagePullSecret, String modelDir, String gpuResource,
                                 String volumeClaim, String mountPath, int sharedMemoryGi, List<String> nodeSelector, List<String> environment) {
    /** Which object runs the pods. */
    public enum ManifestKind {
        PYTORCH_JOB("Kubeflow PyTorchJob"), INDEXED_JOB("Job with torchrun (no operator)");

        private final String label;

        ManifestKind(String label) {
            this.label = label;
        }

        @Override
        public String toString() { return label; }
    }

    /** DNS-1123 label: what a namespace, a secret or a claim is named with. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** A qualified name (an extended resource, a label key): an optional DNS prefix and a name. */
    private static final Pattern QUALIFIED = Pattern.compile("([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]*");

    public KubernetesSettings {
        kind = kind == null ? ManifestKind.PYTORCH_JOB : kind;
        namespace = strip(namespace);
        image = strip(image);
        imagePullSecret = strip(imagePullSecret);
        modelDir = strip(modelDir);
        gpuResource = strip(gpuResource).isEmpty() ? "nvidia.com/gpu" : strip(gpuResource);
        volumeClaim = strip(volumeClaim);
        mountPath = strip(mountPath);
        nodeSelector = nodeSelector == null ? List.of() : List.copyOf(nodeSelector);
        environment = environment == null ? List.of() : List.copyOf(environment);
        require(LABEL.matcher(namespace).matches(), "namespace", "lower-case letters, digits and '-' (at most 63, as kubectl takes it)", namespace);
        require(IMAGE.matcher(image).matches(), "image", "an image reference with Galvatron installed (registry/name:tag)", image);
        require(imagePullSecret.isEmpty() || LABEL.matcher(imagePullSecret).matches(), "image pull secret",
                "a secret's name (lower-case letters, digits, '-')", imagePullSecret);
        require(modelDir.startsWith("/") && !modelDir.contains("\n"), "model folder", "the absolute path of Galvatron's model folder inside the image",
                modelDir);
        require(QUALIFIED.matcher(gpuResource).matches(), "GPU resource", "a resource name such as nvidia.com/gpu", gpuResource);
        require(volumeClaim.isEmpty() || LABEL.matcher(volumeClaim).matches(), "volume claim",
                "a PersistentVolumeClaim's name (lower-case letters, digits, '-')", volumeClaim);
        require(volumeClaim.isEmpty() || mountPath.startsWith("/") && !mountPath.contains(":") && !mountPath.contains("\n"), "mount path",
                "an absolute path without ':' for the volume claim", mountPath);
        if (sharedMemoryGi < 1 || sharedMemoryGi > 4096) {
            throw new IllegalArgumentException("Kubernetes shared memory: expected 1 to 4096 GiB for /dev/shm, got " + sharedMemoryGi);
        }
        for (String line : nodeSelector) {
            String[] kv = pair(line, "Kubernetes node selector", "key=value");
            if (!QUALIFIED.matcher(kv[0]).matches() || !LABEL_VALUE.matcher(kv[1]).matches()) {
                throw new IllegalArgumentException("Kubernetes node selector: expected a label key=value, got '" + line + "'");
            }
        }
        for (String line : environment) {
            String[] kv = pair(line, "Kubernetes environment", "NAME=value");
            if (!ENV_NAME.matcher(kv[0]).matches()) {
                throw new IllegalArgumentException("Kubernetes environment: expected NAME=value with a variable name, got '" + line + "'");
            }
        }
    }

    /** A field Kubernetes would refuse, named with what it takes. */
    private static void require(boolean ok, String field, String expected, String got) {
        if (!ok) throw new IllegalArgumentException("Kubernetes " + field + ": expected " + expected + ", got '" + got + "'");
    }

    private static String strip(String s) {
        return s == null ? "" : s.strip();
    }

    /** {@code line} split at its first '='; the field named when it has none. */
    public static String[] pair(String line, String field, String expected) {
        int eq = line.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException(field + ": expected " + expected + ", got '" + line + "'");
        return new String[]{line.substring(0, eq).strip(), line.substring(eq + 1).strip()};
    }
}
