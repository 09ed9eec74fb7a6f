package studio.app.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.app.cluster.KubernetesSettings;
import studio.app.cluster.KubernetesSettings.ManifestKind;
import studio.testsupport.FreePort;
import studio.testsupport.PythonTorch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pods' launch as Kubernetes would run it, on this machine's CPUs: each "pod" is the manifest's command (the
 * ConfigMap's launch script) in its working folder with its container environment, plus what Kubernetes adds (the Job
 * controller's completion index; the training operator's variables, as its envvar.go sets them), and the first pod's
 * name resolving to this machine. The model folder's {@code train_dist_random.py} stands in for Galvatron's: it joins
 * the real torch.distributed group torchrun forms (Gloo) and records what it was given.
 */
class PodLaunchTest {
    static final String TRAINER = """
            import json, os, sys
            import torch, torch.distributed as dist
            dist.init_process_group("gloo")
            rank, world = dist.get_rank(), dist.get_world_size()
            t = torch.tensor([float(rank)])
            dist.all_reduce(t)
            keys = ["NUM_NODES", "NUM_GPUS_PER_NODE", "NODE_RANK", "MASTER_ADDR", "CUDA_DEVICE_MAX_CONNECTIONS", "LOCAL_RANK"]
            out = {"rank": rank, "world": world, "sum": t.item(), "argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in keys}}
            with open(os.path.join(os.environ["OUT_DIR"], "rank%d.json" % rank), "w") as f:
                json.dump(out, f)
            dist.destroy_process_group()
            """;

    @TempDir
    Path tmp;

    @Test
    void indexedJobPodsFormOneTorchGroup() throws Exception {
        runPods(ManifestKind.INDEXED_JOB);
    }

    @Test
    void pyTorchJobPodsFormOneTorchGroup() throws Exception {
        runPods(ManifestKind.PYTORCH_JOB);
    }

    private void runPods(ManifestKind kind) throws Exception {
        assumeTrue(PythonTorch.find() != null, "needs Python with torch (.ci/run installs Debian's python3-torch)");
        // the pods' command names torchrun as the image has it: on the PATH (Debian's python3-torch installs /usr/bin/torchrun)
        assumeTrue(java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "torchrun"))), "needs torchrun on the PATH");
        Path modelDir = Files.createDirectories(tmp.resolve("galvatron/models/llama_hf"));
        Files.writeString(modelDir.resolve("train_dist_random.py"), TRAINER);
        Path out = Files.createDirectories(tmp.resolve("out"));
        int port = FreePort.next();
        var settings = new KubernetesSettings(kind, "default", "galvatron:test", "", modelDir.toString(), "", "", "/data", 1, List.of(),
                List.of("OUT_DIR=" + out));
        var job = new KubernetesManifest.Job("llama-7b-2x1", 2, 1, port, KubernetesManifestTest.launch(), "galvatron_config.json", "{}", null,
                "two pods on CPU");
        List<JsonNode> docs = KubernetesManifestTest.documents(KubernetesManifest.render(settings, job));
        Path script = Files.writeString(tmp.resolve("launch.sh"), docs.get(0).at("/data/launch.sh").asText());
        List<Process> pods = new ArrayList<>();
        for (int index = 0; index < 2; index++) {
            JsonNode template = kind == ManifestKind.INDEXED_JOB ? docs.get(2).at("/spec/template")
                    : docs.get(1).at("/spec/pytorchReplicaSpecs/" + (index == 0 ? "Master/template" : "Worker/template"));
            JsonNode container = template.at("/spec/containers/0");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(Path.of(container.path("workingDir").asText()).toFile())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("pod" + index + ".log").toFile());
            Map<String, String> env = pb.environment();
            for (JsonNode e : container.path("env")) {
                if (e.has("value")) env.put(e.path("name").asText(), e.path("value").asText());
            }
            if (kind == ManifestKind.INDEXED_JOB) {
                // the completion index the fieldRef reads; the first pod's DNS name is this machine
                env.put("PET_NODE_RANK", String.valueOf(index));
                env.put("PET_MASTER_ADDR", "127.0.0.1");
            } else {
                // what the operator adds (training-operator v1.9, pkg/controller.v1/pytorch/envvar.go), the master service being this machine
                env.put("PYTHONUNBUFFERED", "1");
                env.putAll(Map.of("MASTER_PORT", String.valueOf(port), "PET_MASTER_PORT", String.valueOf(port), "MASTER_ADDR", "127.0.0.1",
                        "PET_MASTER_ADDR", "127.0.0.1"));
                env.put("WORLD_SIZE", String.valueOf(2 * Integer.parseInt(docs.get(1).at("/spec/nprocPerNode").asText())));
                env.put("RANK", String.valueOf(index));
                env.put("PET_NODE_RANK", String.valueOf(index));
                env.put("PET_NPROC_PER_NODE", docs.get(1).at("/spec/nprocPerNode").asText());
                env.put("PET_NNODES", "2");
            }
            // Debian's torch 1.13 under Python 3.12 cannot parse torchrun's default "0" for these (its Std flag has no
            // iterable NONE); any explicit value works, and a GPU image's torch is unaffected
            env.put("PET_REDIRECTS", "1");
            env.put("PET_TEE", "1");
            pods.add(pb.start());
        }
        for (int i = 0; i < pods.size(); i++) {
            Process p = pods.get(i);
            boolean ended = p.waitFor(180, TimeUnit.SECONDS);
            if (!ended) p.destroyForcibly();
            assertTrue(ended && p.exitValue() == 0, "pod " + i + ": " + Files.readString(tmp.resolve("pod" + i + ".log")));
        }
        Set<Integer> ranks = new HashSet<>();
        for (int rank = 0; rank < 2; rank++) {
            JsonNode r = KubernetesManifestTest.JSON.readTree(out.resolve("rank" + rank + ".json").toFile());
            ranks.add(r.path("rank").asInt());
            assertEquals(2, r.path("world").asInt(), "torchrun formed a world of nodes x GPUs per node");
            assertEquals(1.0, r.path("sum").asDouble(), "an all-reduce across the two pods");
            assertEquals(String.valueOf(rank), r.at("/env/NODE_RANK").asText(), "Galvatron's NODE_RANK is the pod's");
            assertEquals("2", r.at("/env/NUM_NODES").asText());
            assertEquals("1", r.at("/env/NUM_GPUS_PER_NODE").asText());
            assertEquals("1", r.at("/env/CUDA_DEVICE_MAX_CONNECTIONS").asText());
            String argv = String.join(" ", KubernetesManifestTest.JSON.convertValue(r.path("argv"), String[].class));
            assertTrue(argv.startsWith("--model_size llama-7b --set_seqlen_manually 1 --seq_length 4096 --galvatron_config_path "
                    + "/etc/galvatron-studio/galvatron_config.json --mixed_precision bf16"), argv);
        }
        assertEquals(Set.of(0, 1), ranks);
    }
}
