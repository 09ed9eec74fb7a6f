package studio.app.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import org.junit.jupiter.api.Test;
import studio.app.cluster.KubernetesSettings;
import studio.app.cluster.KubernetesSettings.ManifestKind;
import studio.engine.launch.GlobalModeArgs;
import studio.engine.launch.TrainingLaunch;
import studio.engine.plan.TargetRuntime;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio's manifests against the schemas Kubernetes checks them with: the core objects against the API's own
 * OpenAPI models (unknown fields and wrong types refused, as {@code kubectl apply --validate=strict} does), the
 * PyTorchJob against the training operator's CRD schema (made strict the same way).
 */
class KubernetesManifestTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static KubernetesSettings settings(ManifestKind kind) {
        return new KubernetesSettings(kind, "ml-team", "registry.example.com/galvatron:3.0-cu124", "regcred",
                "/opt/Hetu-Galvatron/galvatron/models/llama_hf", "nvidia.com/gpu", "training-data", "/data", 128,
                List.of("nvidia.com/gpu.product=NVIDIA-H100-80GB-HBM3"), List.of("NCCL_IB_HCA=mlx5", "NCCL_DEBUG=INFO"));
    }

    static TrainingLaunch launch() {
        return new TrainingLaunch(TargetRuntime.GALVATRON_V2, "llama-7b", null, null, 4096, KubernetesManifest.CONFIG_MOUNT + "/galvatron_config.json",
                null, GlobalModeArgs.NONE, "bf16", true, true, true, 50, 1e-4, 1e-5, null, null, null, KubernetesManifest.CONVERTED, null,
                "/data/ckpt", 25, null);
    }

    static KubernetesManifest.Job job(int nodes) {
        return new KubernetesManifest.Job("llama-7b-2x8", nodes, 8, 29500, launch(), "galvatron_config.json", "{\"pp_deg\": 2}",
                new KubernetesManifest.Conversion("python3", "llama", "/data/hf/llama-7b", "/data/hf-out"), "llama-7b on 2 x 8 GPUs");
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) docs.add((JsonNode) it.next());
        }
        return docs;
    }

    static JsonElement gson(JsonNode n) {
        return JsonParser.parseString(n.toString());
    }

    /**
     * The CRD's schema, strict: an object schema with properties takes no others unless it says it preserves them.
     * Kubernetes' own {@code x-kubernetes-*} markers (list and map types, int-or-string, CEL rules the API server runs)
     * are then dropped: JSON Schema has no meaning for them.
     */
    static JsonSchema pyTorchJobSchema() throws IOException {
        try (InputStream in = KubernetesManifestTest.class.getResourceAsStream("/kubernetes/kubeflow-pytorchjob-v1.schema.json")) {
            JsonNode schema = JSON.readTree(in);
            strict(schema);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
        }
    }

    private static void strict(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = (ObjectNode) n;
            if (o.has("properties") && !o.has("additionalProperties") && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.properties().removeIf(e -> e.getKey().startsWith("x-kubernetes-"));
            o.elements().forEachRemaining(KubernetesManifestTest::strict);
        } else if (n.isArray()) {
            n.elements().forEachRemaining(KubernetesManifestTest::strict);
        }
    }

    @Test
    void pyTorchJobManifestPassesTheCrdAndPodSchemas() throws IOException {
        String yaml = KubernetesManifest.render(settings(ManifestKind.PYTORCH_JOB), job(2));
        List<JsonNode> docs = documents(yaml);
        assertEquals(2, docs.size(), yaml);
        assertEquals("ConfigMap", docs.get(0).path("kind").asText());
        V1ConfigMap.validateJsonElement(gson(docs.get(0)));
        JsonNode job = docs.get(1);
        Set<ValidationMessage> errors = pyTorchJobSchema().validate(job);
        assertTrue(errors.isEmpty(), errors + "\n" + yaml);
        assertEquals("8", job.at("/spec/nprocPerNode").asText());
        assertTrue(job.at("/spec/nprocPerNode").isTextual(), "the CRD takes nprocPerNode as a string");
        assertEquals(1, job.at("/spec/pytorchReplicaSpecs/Master/replicas").asInt());
        assertEquals(1, job.at("/spec/pytorchReplicaSpecs/Worker/replicas").asInt());
        for (String type : List.of("Master", "Worker")) {
            JsonNode template = job.at("/spec/pytorchReplicaSpecs/" + type + "/template");
            V1PodTemplateSpec.validateJsonElement(gson(template));
            JsonNode c = template.at("/spec/containers/0");
            assertEquals("pytorch", c.path("name").asText(), "the operator finds its container by this name");
            assertEquals("pytorchjob-port", c.at("/ports/0/name").asText());
            assertEquals("8", c.at("/resources/limits").path("nvidia.com/gpu").asText());
            assertEquals("/opt/Hetu-Galvatron/galvatron/models/llama_hf", c.path("workingDir").asText());
            assertEquals("NVIDIA-H100-80GB-HBM3", template.at("/spec/nodeSelector").path("nvidia.com/gpu.product").asText());
            assertEquals("regcred", template.at("/spec/imagePullSecrets/0/name").asText());
        }
        // one worker fewer than nodes; a single node has no Worker replica
        JsonNode single = documents(KubernetesManifest.render(settings(ManifestKind.PYTORCH_JOB), job(1))).get(1);
        assertTrue(pyTorchJobSchema().validate(single).isEmpty());
        assertTrue(single.at("/spec/pytorchReplicaSpecs/Worker").isMissingNode());
    }

    @Test
    void indexedJobManifestPassesTheKubernetesModels() throws IOException {
        String yaml = KubernetesManifest.render(settings(ManifestKind.INDEXED_JOB), job(2));
        List<JsonNode> docs = documents(yaml);
        assertEquals(List.of("ConfigMap", "Service", "Job"), docs.stream().map(d -> d.path("kind").asText()).toList());
        V1ConfigMap.validateJsonElement(gson(docs.get(0)));
        V1Service.validateJsonElement(gson(docs.get(1)));
        V1Job.validateJsonElement(gson(docs.get(2)));
        JsonNode svc = docs.get(1);
        assertEquals("None", svc.at("/spec/clusterIP").asText(), "headless: each pod gets its own name");
        JsonNode job = docs.get(2);
        assertEquals("Indexed", job.at("/spec/completionMode").asText());
        assertEquals(2, job.at("/spec/completions").asInt());
        assertEquals(2, job.at("/spec/parallelism").asInt());
        assertEquals(svc.at("/metadata/name").asText(), job.at("/spec/template/spec/subdomain").asText());
        JsonNode env = job.at("/spec/template/spec/containers/0/env");
        assertEquals("llama-7b-2x8-0.llama-7b-2x8.ml-team.svc", value(env, "PET_MASTER_ADDR"));
        assertEquals("2", value(env, "PET_NNODES"));
        assertEquals("8", value(env, "PET_NPROC_PER_NODE"));
        assertEquals("INFO", value(env, "NCCL_DEBUG"), "the user's lines win over the defaults");
        assertEquals("mlx5", value(env, "NCCL_IB_HCA"));
        assertEquals("1", value(env, "CUDA_DEVICE_MAX_CONNECTIONS"), "the runtime's environment, as on an SSH node");
        JsonNode rank = find(env, "PET_NODE_RANK");
        assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']", rank.at("/valueFrom/fieldRef/fieldPath").asText());
        assertEquals("Memory", volume(job, "shm").at("/emptyDir/medium").asText());
        assertEquals("128Gi", volume(job, "shm").at("/emptyDir/sizeLimit").asText());
        assertEquals("training-data", volume(job, "data").at("/persistentVolumeClaim/claimName").asText());
        assertEquals("llama-7b-2x8-config", volume(job, "galvatron-config").at("/configMap/name").asText());
    }

    @Test
    void theConfigMapCarriesThePlanAndTheLaunchScript() throws IOException {
        JsonNode cm = documents(KubernetesManifest.render(settings(ManifestKind.PYTORCH_JOB), job(2))).get(0);
        assertEquals("{\"pp_deg\": 2}", cm.at("/data/galvatron_config.json").asText());
        String script = cm.at("/data/launch.sh").asText();
        assertTrue(script.contains("torchrun train_dist_random.py --model_size llama-7b --set_seqlen_manually 1 --seq_length 4096 "
                + "--galvatron_config_path /etc/galvatron-studio/galvatron_config.json"), script);
        assertFalse(script.contains("--nnodes"), "the rendezvous comes from torchrun's PET_* environment");
        assertTrue(script.contains("/opt/Hetu-Galvatron/galvatron/tools/checkpoint_convert_h2g.py --model_type llama --input_checkpoint "
                + "/data/hf/llama-7b --output_dir /tmp/galvatron-converted"), script);
        assertTrue(script.contains("--load /tmp/galvatron-converted"), script);
        assertTrue(script.contains("if [ \"$NODE_RANK\" = 0 ]; then python3 /opt/Hetu-Galvatron/galvatron/tools/checkpoint_convert_g2h.py"), script);
    }

    @Test
    void theValidatorsRefuseWhatKubernetesRefuses() throws IOException {
        // the checks above have teeth: an unknown field, a number where the CRD wants a string
        List<JsonNode> docs = documents(KubernetesManifest.render(settings(ManifestKind.INDEXED_JOB), job(2)));
        ObjectNode job = (ObjectNode) docs.get(2);
        ((ObjectNode) job.at("/spec/template/spec/containers/0")).put("gpus", 8);
        assertThrows(IllegalArgumentException.class, () -> V1Job.validateJsonElement(gson(job)));
        ObjectNode pt = (ObjectNode) documents(KubernetesManifest.render(settings(ManifestKind.PYTORCH_JOB), job(2))).get(1);
        ((ObjectNode) pt.get("spec")).put("nprocPerNode", 8);
        assertFalse(pyTorchJobSchema().validate(pt).isEmpty());
        ObjectNode pt2 = (ObjectNode) documents(KubernetesManifest.render(settings(ManifestKind.PYTORCH_JOB), job(2))).get(1);
        ((ObjectNode) pt2.get("spec")).put("replicas", 2);
        assertFalse(pyTorchJobSchema().validate(pt2).isEmpty());
    }

    @Test
    void settingsKubernetesWouldRefuseAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new KubernetesSettings(ManifestKind.PYTORCH_JOB, "ML_Team", "img", "", "/m",
                "", "", "/data", 64, List.of(), List.of()));
        assertTrue(e.getMessage().startsWith("Kubernetes namespace:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KubernetesSettings(ManifestKind.PYTORCH_JOB, "default", "", "", "/m", "", "",
                "/data", 64, List.of(), List.of()));
        assertTrue(e.getMessage().startsWith("Kubernetes image:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KubernetesSettings(ManifestKind.PYTORCH_JOB, "default", "img", "", "models/gpt",
                "", "", "/data", 64, List.of(), List.of()));
        assertTrue(e.getMessage().startsWith("Kubernetes model folder:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KubernetesSettings(ManifestKind.PYTORCH_JOB, "default", "img", "", "/m", "", "",
                "/data", 64, List.of("no-equals"), List.of()));
        assertTrue(e.getMessage().startsWith("Kubernetes node selector:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KubernetesManifest.Job("Llama_7B", 2, 8, 29500, launch(), null, null, null, ""));
        assertTrue(e.getMessage().startsWith("Kubernetes job name:"), e.getMessage());
        assertEquals("llama-7b-2x8", KubernetesManifest.jobName("Llama 7B, 2x8"));
        assertEquals("galvatron-7b", KubernetesManifest.jobName("7B"));
    }

    static String value(JsonNode env, String name) {
        return find(env, name).path("value").asText();
    }

    static JsonNode find(JsonNode env, String name) {
        for (JsonNode e : env) if (e.path("name").asText().equals(name)) return e;
        throw new AssertionError("no " + name + " in " + env);
    }

    static JsonNode volume(JsonNode job, String name) {
        for (JsonNode v : job.at("/spec/template/spec/volumes")) if (v.path("name").asText().equals(name)) return v;
        throw new AssertionError("no volume " + name);
    }

    static void assertPresent(JsonNode n) {
        assertNotNull(n);
    }
}
