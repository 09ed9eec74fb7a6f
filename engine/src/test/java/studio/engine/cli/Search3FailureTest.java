package studio.engine.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.search.v3.V3Cases;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where Galvatron 3.0 crashes on the inputs it ships (v3 spec §8.6, issue 13 item 5), the studio says why in one
 * line naming the file and key and what would work, and exits 1 (2 when the search ran and nothing fits).
 */
class Search3FailureTest {
    @TempDir Path tmp;

    private CliRunner run(String... overrides) {
        List<String> a = new ArrayList<>(List.of("search", V3Cases.shippedYaml().toString(), "LOG_DIR=" + tmp.resolve("logs"),
                "+search_engine.options_info.output_config_path=" + tmp));
        a.addAll(Arrays.asList(overrides));
        return CliRunner.run(a.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "E01 shipped YAML as is||computation_profiling_bf16_llama2-7b_all.json|needs at least 3 of them at batch size 1, found 1",
            "E03 no Megatron-SP|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static search_engine.common_train_info.sequence_parallel=false|key 'layertype_0'|set common_train_info.sequence_parallel=true",
            "E04 raw-only profile|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static search_engine.model_info.model_size=llama2-7b_seqlen2048|_seqlen2048_all.json|layertype_0_",
            "E05 static memory at 4096|SEQ_LENGTH=4096 search_engine.profiling_info.time_profile_mode=static|key 'layertype_0_sp.4096'|use memory_profile_mode sequence",
            "E06 batch time at 4096|SEQ_LENGTH=4096 search_engine.profiling_info.time_profile_mode=batch search_engine.profiling_info.memory_profile_mode=sequence|seq4096|at least 8 batch sizes",
            "E07 1x4 without sp_time|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static NUM_GPUS_PER_NODE=4|sp_time_1nodes_4gpus_per_node.json|file not found",
            "E08 coarse at 16 GB|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static MEMORY_CONSTRAINT=16 search_engine.options_info.fine_grained_mode=0|fine_grained_mode 0|memory_constraint 21 or more",
            "P4 batch memory|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static search_engine.profiling_info.memory_profile_mode=batch|memory_profile_mode'|use static or sequence",
            "P5 hybrid time|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=hybrid|time_profile_mode'|use static, batch or sequence",
            "P8 empty batch range|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static search_engine.batch_size_info.min_bsz=4 search_engine.batch_size_info.max_bsz=4|give no batch size|raise max_bsz",
            "P9 negative max_tp_deg|SEQ_LENGTH=2048 search_engine.profiling_info.time_profile_mode=static search_engine.search_space_info.max_tp_deg=-1|max_tp_deg'|at least 1",
            "not an override|SEQ_LENGTH=2048 num_nodes|key 'num_nodes'|a Hydra override",
    })
    void galvatronsCrashesBecomeOneLineErrors(String name, String overrides, String where, String what) {
        CliRunner r = run(overrides == null ? new String[0] : overrides.split(" "));
        assertEquals(1, r.exitCode(), name + ": " + r.out() + r.err());
        String line = r.err().strip();
        assertTrue(line.startsWith("error: "), line);
        assertEquals(1, line.lines().filter(l -> l.startsWith("error")).count(), line);
        assertTrue(line.contains(where), name + " names " + where + ": " + line);
        assertTrue(line.contains(what), name + " says " + what + ": " + line);
        assertFalse(line.contains("Exception") || line.contains("\tat "), "no stack trace: " + line);
        assertTrue(listConfigs().isEmpty(), "no config written");
    }

    @Test
    void galvatronTwosShellOptionsAreRefusedWithAThreeYaml() {
        CliRunner r = CliRunner.run("search", "--num_nodes", "2", V3Cases.shippedYaml().toString(), "SEQ_LENGTH=2048");
        assertEquals(StudioCli.USAGE_ERROR, r.exitCode(), r.err());
        assertTrue(r.err().contains("--num_nodes with a 3.0 YAML") && r.err().contains("search_engine.hardware_info.num_nodes=2"), r.err());
    }

    @Test
    void nothingToSearchOrNothingFitsExitsTwoWithoutAConfig() {
        CliRunner none = run("SEQ_LENGTH=2048", "search_engine.profiling_info.time_profile_mode=static", "+search_engine.batch_size_info.settle_chunk=3");
        assertEquals(2, none.exitCode(), none.err());
        assertTrue(none.out().contains("leave no task to search"), none.out());
        CliRunner small = run("SEQ_LENGTH=2048", "search_engine.profiling_info.time_profile_mode=static", "MEMORY_CONSTRAINT=4");
        assertEquals(2, small.exitCode(), small.err());
        assertTrue(small.out().contains("nothing fits 4 GB per GPU in any of the 122 tasks"), small.out());
        assertTrue(listConfigs().isEmpty());
        // the budget it names is the exact threshold: one GB less still fits nothing
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("memory_constraint (\\d+) would fit").matcher(small.out());
        assertTrue(m.find(), small.out());
        int gb = Integer.parseInt(m.group(1));
        assertEquals(0, run("SEQ_LENGTH=2048", "search_engine.profiling_info.time_profile_mode=static", "MEMORY_CONSTRAINT=" + gb).exitCode());
        assertEquals(2, run("SEQ_LENGTH=2048", "search_engine.profiling_info.time_profile_mode=static", "MEMORY_CONSTRAINT=" + (gb - 1)).exitCode());
    }

    @Test
    void typosAndIgnoredArgumentsAreNamedNotSilent() {
        CliRunner r = run("SEQ_LENGTH=2048", "search_engine.profiling_info.time_profile_mode=static", "+search_engine.batch_size_info.settle_chnk=2",
                "search_engine.options_info.worker=1", "search_engine.model_info.is_moe_model=true");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("ignored (not read by Galvatron 3.0's search): search_engine.batch_size_info.settle_chnk"), r.err());
        assertTrue(r.err().contains("options_info.worker"), r.err());
        assertTrue(r.err().contains("is_moe_model"), r.err());
        assertTrue(r.out().contains("Throughput: 16.533148"), "settle_chnk is ignored, as Galvatron does: " + r.out());
    }

    @Test
    void aNonSequenceParallelSearchWithATensorParallelVocabularyIsRefusedAsGalvatronDoes() throws Exception {
        Path f = V3Cases.root().resolve("inputs/tests_fixtures");
        Path yaml = V3Cases.testYaml(tmp, "search_space_info: {max_tp_deg: 8}");
        String text = Files.readString(yaml).replace("memory_sequence_sp", "memory_static_nosp").replace("memory_profile_mode: sequence", "memory_profile_mode: static")
                .replace("sequence_parallel: true", "sequence_parallel: false").replace("seq_length: 8192", "seq_length: 4096")
                .replace("time_sequence", "time_static").replace("time_profile_mode: sequence", "time_profile_mode: static");
        Files.writeString(yaml, text);
        CliRunner r = CliRunner.run("search", yaml.toString());
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertTrue(r.err().contains("disable_embedding_lmhead_tp=1"), r.err());
        CliRunner ok = CliRunner.run("search", yaml.toString(), "+search_engine.search_space_info.disable_embedding_lmhead_tp=1");
        assertEquals(0, ok.exitCode(), ok.err());
        assertTrue(f.toFile().isDirectory());
    }

    private List<Path> listConfigs() {
        try (var s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("galvatron_config")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
