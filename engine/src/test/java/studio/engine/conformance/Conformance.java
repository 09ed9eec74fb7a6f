package studio.engine.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import studio.engine.cost.CostModelOptions;
import studio.engine.profile.ProfileBundle;
import studio.engine.profile.ProfileLoader;
import studio.engine.model.LayerType;
import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.MemoryProfileMode;
import studio.engine.profile.TimeProfileMode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Access to the conformance vectors copied from ../shared/conformance, and their fixtures written as real files. */
public final class Conformance {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** Relative tolerance the issue asks for. */
    public static final double REL = 1e-6;

    private Conformance() {
    }

    public static JsonNode json(String resource) {
        try (InputStream in = Conformance.class.getResourceAsStream("/conformance/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String resource) {
        try (InputStream in = Conformance.class.getResourceAsStream("/conformance/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path dir, String name, JsonNode content) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(content));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The mock hardware files of Galvatron's tests, written under {@code dir}. */
    public static HardwareProfile fixtureHardware(Path dir) {
        JsonNode hw = json("galvatron-tests/fixtures/hardware_configs.json");
        return HardwareProfile.read(8,
                write(dir, "allreduce_bandwidth_1nodes_8gpus_per_node.json", hw.get("allreduce")),
                write(dir, "p2p_bandwidth_1nodes_8gpus_per_node.json", hw.get("p2p")),
                write(dir, "overlap_coefficient.json", hw.get("overlap")),
                write(dir, "sp_time_1nodes_8gpus_per_node.json", hw.get("sp")));
    }

    /** Galvatron's {@code llama_search} test model with the sequence length the end-to-end tests force. */
    public static ModelDescription llamaSearch(int seq) {
        return new ModelDescription("llama_search", ModelFamily.LLAMA_HF, List.of(new LayerType(3584, seq, 28)), 3584, 28, 28,
                9728, 152064);
    }

    /** The end-to-end cases' profile bundle: sequence-mode time and memory fixtures, mock hardware. */
    public static ProfileBundle e2eBundle(Path dir) {
        JsonNode time = json("galvatron-tests/fixtures/time_configs.json").get("sequence");
        JsonNode mem = json("galvatron-tests/fixtures/memory_configs.json").get("sequence_sp");
        return ProfileLoader.load(llamaSearch(8192),
                write(dir, "computation_profiling_bf16_llama_search.json", time), TimeProfileMode.SEQUENCE,
                write(dir, "memory_profiling_bf16_llama_search.json", mem), MemoryProfileMode.SEQUENCE, true,
                fixtureHardware(dir));
    }

    public static void assertRel(double expected, double actual, String what) {
        double tol = Math.max(Math.abs(expected) * REL, 1e-12);
        assertEquals(expected, actual, tol, what);
    }

    public static CostModelOptions e2eOptions() {
        return new CostModelOptions(8, 36, "bf16", false, true, studio.engine.cost.SpSpace.TP_SP,
                studio.engine.plan.PipelineType.PIPEDREAM_FLUSH, studio.engine.plan.DpType.ZERO2, false, true, 1.0);
    }
}
