package studio.engine.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.profile.ProfileBundle;
import studio.engine.profile.HardwareProfile;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.engine.conformance.Conformance.assertRel;

/** Every number of {@code e2e_initialized_state.json}: the engine state after reading and fitting the inputs. */
class E2eInitializedStateTest {
    static int checked;

    @Test
    void readingAndFittingMatchGalvatron(@TempDir Path dir) {
        JsonNode s = Conformance.json("galvatron-tests/e2e_initialized_state.json");
        ProfileBundle b = Conformance.e2eBundle(dir);
        assertEquals(3584, b.model().hiddenSize());
        assertEquals(28, b.model().totalLayers());
        assertEquals(8192, b.model().maxSeqLength());
        assertRel(s.get("forward_computation_time (quadratic fit at seq)").get(0).asDouble(), b.forwardTimes().get(0).perSampleMs(), "forward time");
        assertRel(s.get("other_time_profiled (linear fit at seq)").get(0).asDouble(), b.otherForwardTime().perSampleMs(), "other time");
        assertRel(s.get("param_sizes").get(0).asDouble(), b.layerMemory().get(0).parameterSizeMb(), "param");
        JsonNode act = s.get("act_sizes (scaled to seq)").get(0);
        for (var e : act.properties()) {
            double got = e.getKey().equals("checkpoint") ? b.layerMemory().get(0).checkpointActivationMb()
                    : b.layerMemory().get(0).activationPerSampleMb().get(Integer.parseInt(e.getKey()));
            assertRel(e.getValue().asDouble(), got, "act " + e.getKey());
        }
        checkOther(s.get("other_memory_pp_off"), b.otherPpOff());
        checkOther(s.get("other_memory_pp_on").get("first_stage"), b.otherFirstStage());
        checkOther(s.get("other_memory_pp_on").get("last_stage"), b.otherLastStage());
        HardwareProfile hw = b.hardware();
        s.get("allreduce_comm_coe").properties().forEach(e -> assertRel(e.getValue().asDouble(), hw.commCoe().get(e.getKey()), "coe " + e.getKey()));
        assertEquals(s.get("allreduce_comm_coe").size(), hw.commCoe().size());
        s.get("p2p_comm_coe").properties().forEach(e -> assertRel(e.getValue().asDouble(), hw.p2p(Integer.parseInt(e.getKey())), "p2p " + e.getKey()));
        assertRel(s.get("overlap_coe").asDouble(), hw.overlapCoe(), "overlap");
        s.get("sp_allreduce_popt").properties().forEach(e -> {
            int g = Integer.parseInt(e.getKey());
            assertRel(e.getValue().get(0).asDouble(), hw.spAllreduce(g).slopeMsPerMb(), "ar slope " + g);
            assertRel(e.getValue().get(1).asDouble(), hw.spAllreduce(g).interceptMs(), "ar intercept " + g);
        });
        s.get("sp_all2all_popt").properties().forEach(e -> {
            int g = Integer.parseInt(e.getKey());
            assertRel(e.getValue().get(0).asDouble(), hw.spAll2all(g).slopeMsPerMb(), "a2a slope " + g);
            assertRel(e.getValue().get(1).asDouble(), hw.spAll2all(g).interceptMs(), "a2a intercept " + g);
        });
        assertEquals(36864, Conformance.e2eOptions().totalMemoryMb());
        assertEquals(29492, Conformance.e2eOptions().usableMemoryMb());
    }

    private static void checkOther(JsonNode expected, studio.engine.profile.OtherMemoryProfile got) {
        expected.get("model_states").properties().forEach(e ->
                assertRel(e.getValue().asDouble(), got.modelStatesMb().get(Integer.parseInt(e.getKey())), "model_states " + e.getKey()));
        expected.get("activation").properties().forEach(e ->
                assertRel(e.getValue().asDouble(), got.activationMb().get(Integer.parseInt(e.getKey())), "activation " + e.getKey()));
    }
}
