package studio.engine.plan;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import studio.engine.conformance.SampleConfigs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One row per runtime rule: a clean llama-7b plan on 8 GPUs, broken in one way, breaks exactly that rule (and the
 * clean plan breaks none). The same rules the search uses to leave strategies out.
 */
class RuntimeRulesTest {
    static final ModelDescription LLAMA = new ModelCatalog(SampleConfigs.root()).resolve("llama-7b");
    static final ModelDescription GPT = new ModelCatalog(SampleConfigs.root()).resolve("gpt-2.7b");

    /** pp 2, tp 2 on every layer, consecutive TP groups, 64 samples in 8 chunks. */
    static ParallelPlan clean() {
        List<LayerStrategy> ls = new ArrayList<>(Collections.nCopies(32, LayerStrategy.of(2, 2, 2, true, false, false, false)));
        return new ParallelPlan(ls, ParallelPlan.evenDivision(32, 2), 64, 8, 1, false, false, PipelineType.PIPEDREAM_FLUSH, DpType.ZERO2, null);
    }

    static ParallelPlan withLayer0(ParallelPlan p, LayerStrategy s) {
        List<LayerStrategy> ls = new ArrayList<>(p.layers());
        ls.set(0, s);
        return p.withLayers(ls);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("pp_division sums to the layers", 6, (UnaryOperator<ParallelPlan>) p -> p.withPipelineDivision(List.of(10, 10)), LLAMA, false),
                Arguments.of("tp divides the stage", 8, (UnaryOperator<ParallelPlan>) p -> withLayer0(p, new LayerStrategy(2, 3, 1, -1, -1, 0, false)), LLAMA, false),
                Arguments.of("no strided TP below the stage width", 9, (UnaryOperator<ParallelPlan>) p -> withLayer0(p, LayerStrategy.of(2, 2, 2, false, false, false, false)), LLAMA, false),
                Arguments.of("cp needs llama", 11, (UnaryOperator<ParallelPlan>) p -> {
                    List<Integer> cp = new ArrayList<>(Collections.nCopies(32, 1));
                    cp.set(0, 2);
                    return new ParallelPlan(p.layers(), p.pipelineDivision(), p.globalBatch(), p.chunks(), p.vocabTp(), false, false, p.pipelineType(),
                            p.defaultDpType(), cp);
                }, GPT, false),
                Arguments.of("Ulysses only on llama", 12, (UnaryOperator<ParallelPlan>) p -> withLayer0(p, LayerStrategy.of(2, 2, 2, true, false, true, false)), GPT, false),
                Arguments.of("tp divides the heads", 13, (UnaryOperator<ParallelPlan>) p -> p.withLayers(Collections.nCopies(32, LayerStrategy.of(1, 8, 1, true, false, false, false))).withPipelineDivision(List.of(32)), withHeads(LLAMA, 12), false),
                Arguments.of("sequence parallel divides the sequence", 14, (UnaryOperator<ParallelPlan>) p -> p, LLAMA.withSeqLength(2047), true),
                Arguments.of("vtp divides the vocabulary", 16, (UnaryOperator<ParallelPlan>) p -> new ParallelPlan(p.layers(), p.pipelineDivision(), p.globalBatch(), p.chunks(), 4,
                        false, false, p.pipelineType(), p.defaultDpType(), null), withVocab(LLAMA, 32002), false),
                Arguments.of("the batch splits over the groups", 17, (UnaryOperator<ParallelPlan>) p -> new ParallelPlan(p.layers(), p.pipelineDivision(), 7, 1, p.vocabTp(),
                        false, false, p.pipelineType(), p.defaultDpType(), null), LLAMA, false),
                Arguments.of("chunks divide the local batch", 18, (UnaryOperator<ParallelPlan>) p -> new ParallelPlan(p.layers(), p.pipelineDivision(), 64, 48, p.vocabTp(),
                        false, false, p.pipelineType(), p.defaultDpType(), null), LLAMA, false));
    }

    static ModelDescription withHeads(ModelDescription m, int heads) {
        return new ModelDescription(m.name(), m.family(), m.layerTypes(), m.hiddenSize(), heads, heads, m.ffnHiddenSize(), m.vocabSize());
    }

    static ModelDescription withVocab(ModelDescription m, int vocab) {
        return new ModelDescription(m.name(), m.family(), m.layerTypes(), m.hiddenSize(), m.attentionHeads(), m.keyValueHeads(),
                m.ffnHiddenSize(), vocab);
    }

    @ParameterizedTest(name = "rule {1}: {0}")
    @MethodSource("rules")
    void eachRuleIsBrokenByItsOwnMistake(String what, int rule, UnaryOperator<ParallelPlan> breakIt, ModelDescription model, boolean sp) {
        assertTrue(PlanValidator.validate(clean(), LLAMA, 8, false).isEmpty(), "the clean plan is runnable: "
                + PlanValidator.validate(clean(), LLAMA, 8, false));
        List<RuleViolation> v = PlanValidator.validate(breakIt.apply(clean()), model, 8, sp);
        assertTrue(v.stream().anyMatch(x -> x.rule() == rule), what + ": expected rule " + rule + ", got " + v);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void theSearchUsesTheSameLayerRules(String what, int rule, UnaryOperator<ParallelPlan> breakIt, ModelDescription model, boolean sp) {
        // the per-layer rules the search applies are exactly the validator's for that layer
        ParallelPlan broken = breakIt.apply(clean());
        int stage = 8 / broken.pp();
        for (int index = 0; index < broken.layerCount(); index++) {
            final int i = index;
            LayerStrategy s = broken.layers().get(i);
            if (stage % s.tp() != 0) continue;
            List<Integer> fromRules = RuntimeRules.layer(s, stage, model, false, i).stream().map(RuleViolation::rule).sorted().toList();
            List<Integer> fromValidator = PlanValidator.validate(broken, model, 8, false).stream().filter(x -> x.layer() == i)
                    .map(RuleViolation::rule).filter(r -> r == 9 || r == 12 || r == 13).sorted().toList();
            assertEquals(fromValidator, fromRules, what + ", layer " + i);
        }
    }
}
