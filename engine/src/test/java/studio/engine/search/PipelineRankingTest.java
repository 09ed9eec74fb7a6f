package studio.engine.search;

import org.junit.jupiter.api.Test;
import studio.engine.plan.PipelineType;
import studio.engine.schedule.PipelineSchedule.GradientReduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineRankingTest {
    @Test
    void oneStageReducesOnceAnIterationOrOnceAMicroBatch() {
        double[] full = {1.2};
        double[] compute = {1.0};
        double[] vocabulary = {0};
        for (PipelineType type : PipelineType.values()) {
            // four micro-batches of 1 s, the reduce's exposed 0.2 s once at the end, or after every backward
            assertEquals(4.2, PipelineRanking.scheduleBound(type, GradientReduce.ONCE_AN_ITERATION, full, compute, vocabulary, 4), 1e-12);
            assertEquals(4.8, PipelineRanking.scheduleBound(type, GradientReduce.EVERY_MICRO_BATCH, full, compute, vocabulary, 4), 1e-12);
        }
    }

    @Test
    void theVocabularyIsComputeNotReduce() {
        // stage 1 holds the LM head: 0.3 s of its compute is the vocabulary, which has no gradient sync term here
        double[] full = {1.1, 1.0};
        double[] compute = {1.0, 1.2};
        double[] vocabulary = {0, 0.3};
        double once = PipelineRanking.scheduleBound(PipelineType.PIPEDREAM_FLUSH, GradientReduce.ONCE_AN_ITERATION, full, compute, vocabulary, 8);
        double every = PipelineRanking.scheduleBound(PipelineType.PIPEDREAM_FLUSH, GradientReduce.EVERY_MICRO_BATCH, full, compute, vocabulary, 8);
        // per micro-batch each stage reduces 0.1 s: stage 1's 1.0 s with sync less its 0.9 s without (1.2 less the 0.3 vocabulary)
        double[] forward = {1.0 / 3, 1.2 / 3};
        double[] backward = {1.0 - 1.0 / 3 + 0.1, 1.2 - 1.2 / 3 + 0.1};
        double scheduled = studio.engine.schedule.PipelineSchedule.makespanMs(PipelineType.PIPEDREAM_FLUSH, 8, forward, backward, new double[1]);
        assertEquals(Math.max(scheduled, PipelineRanking.plainBound(new double[] {1.1, 1.3}, 8)), every, 1e-9);
        assertEquals(11.5, PipelineRanking.plainBound(new double[] {1.1, 1.3}, 8), 1e-12);
        assertTrue(every > once, "reducing every micro-batch is slower: " + every + " vs " + once);
    }
}
