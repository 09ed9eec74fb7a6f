package studio.engine.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import studio.engine.cost.CostModel;
import studio.engine.cost.CostModelOptions;
import studio.engine.cost.LayerMemory;
import studio.engine.cost.LayerTime;
import studio.engine.cost.OtherTime;
import studio.engine.profile.ProfileBundle;
import studio.engine.cost.SpSpace;
import studio.engine.model.LayerType;
import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;
import studio.engine.plan.DpType;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;
import studio.engine.profile.CollectiveTimeTable;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.LayerMemoryProfile;
import studio.engine.profile.OtherMemoryProfile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static studio.engine.conformance.Conformance.assertRel;

/** The cost-model numbers of {@code unit_values.json}, computed by Galvatron's own code for its unit-test inputs. */
class UnitValuesConformanceTest {
    private static final JsonNode UNIT = Conformance.json("galvatron-tests/unit_values.json");

    static LayerStrategy strategy(JsonNode a) {
        JsonNode info = a.get(3);
        int tp = a.get(1).asInt();
        return new LayerStrategy(a.get(0).asInt(), tp, a.get(2).asInt(),
                info.has("tp") ? info.get("tp").asInt() : -1,
                info.has("fsdp") ? info.get("fsdp").asInt() : -1,
                info.has("sp") ? info.get("sp").asInt() : -1,
                info.has("cpt") && info.get("cpt").asInt() == 1);
    }

    private static Map<Integer, Double> tpMap(JsonNode n) {
        Map<Integer, Double> m = new TreeMap<>();
        n.properties().forEach(e -> {
            if (!e.getKey().equals("checkpoint")) m.put(Integer.parseInt(e.getKey()), e.getValue().asDouble());
        });
        return m;
    }

    private static OtherMemoryProfile other(JsonNode n) {
        return new OtherMemoryProfile(tpMap(n.get("model_states")), tpMap(n.get("activation")));
    }

    @Test
    void memoryCostModel(@TempDir Path dir) {
        JsonNode mem = Conformance.json("galvatron-tests/fixtures/memory_configs.json").get("static_non_sp");
        HardwareProfile hw = Conformance.fixtureHardware(dir);
        int checked = 0;
        for (JsonNode c : UNIT.get("memory_cost_model")) {
            JsonNode eff = c.get("effective");
            JsonNode up = c.get("updates");
            LayerMemoryProfile lp = new LayerMemoryProfile(eff.get("parameter_size").asDouble(),
                    tpMap(eff.get("tp_activation_per_bsz_dict")), eff.get("tp_activation_per_bsz_dict").get("checkpoint").asDouble());
            ModelDescription model = new ModelDescription("mock", ModelFamily.LLAMA_HF, List.of(new LayerType(4096, 4096, 32)), 4096, 32, 32, 11008, 32000);
            ProfileBundle bundle = new ProfileBundle(model, List.of(ForwardTime.perSample(1)), ForwardTime.perSample(1), List.of(lp),
                    other(mem.get("other_memory_pp_off").get("4096")), other(mem.get("other_memory_pp_on_first").get("4096")),
                    other(mem.get("other_memory_pp_on_last").get("4096")), hw);
            PipelineType pt = PipelineType.parse(eff.get("pipeline_type").asText());
            CostModelOptions o = new CostModelOptions(8, 36, eff.get("mixed_precision").asBoolean() ? "bf16" : "fp32",
                    eff.get("async_grad_reduce").asBoolean(), eff.get("sequence_parallel").asBoolean(), SpSpace.TP, pt,
                    eff.get("use_zero2_for_dp").asInt() == 1 ? DpType.ZERO2 : DpType.DDP,
                    up.has("disable_vtp") && up.get("disable_vtp").asInt() == 1, true, 1.0);
            CostModel cm = new CostModel(bundle, o);
            LayerStrategy s = strategy(c.get("strategy"));
            int bsz = up.get("global_batch_size").asInt();
            int mbsz = up.get("mbsz").asInt();
            int minTp = up.get("min_tp").asInt();
            int maxTp = up.get("max_tp").asInt();
            boolean vsp = up.has("vsp") && up.get("vsp").asInt() == 1;
            LayerMemory lm = cm.layerMemory(s, 0, bsz, mbsz, minTp, 0);
            String what = "memory case " + s.form();
            assertEquals(c.get("chunks").asInt(), lm.realChunks(), what + " chunks");
            assertRel(c.get("bsz(local, after 1F1B ratio)").asDouble(), lm.activationSamples(), what + " b_act");
            assertEquals(c.get("sdp_size").asInt(), s.sdpSize(), what + " sdp");
            JsonNode r = c.get("result");
            assertRel(r.get("parameter").asDouble(), lm.parameterMb(), what + " parameter");
            assertRel(r.get("model_states").asDouble(), lm.modelStatesMb(), what + " model_states");
            assertRel(r.get("activation").asDouble(), lm.activationMb(), what + " activation");
            assertRel(r.get("enc_total").asDouble(), lm.totalMb(), what + " enc_total");
            checked += 7;
            Map<Integer, double[]> om = cm.otherMemory(s, bsz, mbsz, minTp, maxTp, vsp, false);
            assertEquals(r.get("other").size(), om.size(), what + " vtp candidates");
            for (var e : r.get("other").properties()) {
                double[] got = om.get(Integer.parseInt(e.getKey()));
                assertEquals(e.getValue().size(), got.length);
                for (int i = 0; i < got.length; i++) {
                    assertRel(e.getValue().get(i).asDouble(), got[i], what + " other " + e.getKey() + "[" + i + "]");
                    checked++;
                }
            }
        }
        ConformanceCounter.add("memory_cost_model", checked);
        assertEquals(66, checked, "every memory_cost_model vector of Galvatron's own tests was checked (an empty list would pass)");
    }

    @Test
    void timeCostModel(@TempDir Path dir) {
        HardwareProfile fixture = Conformance.fixtureHardware(dir);
        int checked = 0;
        for (JsonNode c : UNIT.get("time_cost_model")) {
            JsonNode eff = c.get("effective");
            JsonNode up = c.get("updates");
            Map<String, Double> coe = new LinkedHashMap<>();
            eff.get("comm_coe_dict").properties().forEach(e -> coe.put(e.getKey(), e.getValue().asDouble()));
            Map<Integer, Double> p2p = new HashMap<>();
            eff.get("p2p_comm_coe_dict").properties().forEach(e -> p2p.put(Integer.parseInt(e.getKey()), e.getValue().asDouble()));
            HardwareProfile hw = fixture.withCoefficients(coe, p2p, eff.get("dp_overlap_coe").asDouble());
            LayerType lt = new LayerType(eff.get("hidden_size").asInt(), eff.get("seq_length").asInt(), eff.get("layer_num").asInt());
            ModelDescription model = new ModelDescription("mock", ModelFamily.LLAMA_HF, List.of(lt), lt.hiddenSize(), 16, 16, 4096, 32000);
            LayerMemoryProfile lp = new LayerMemoryProfile(eff.get("parameter_size").asDouble(), Map.of(1, 1.0), 1.0);
            OtherMemoryProfile om = new OtherMemoryProfile(Map.of(1, 1.0), Map.of(1, 1.0));
            ProfileBundle bundle = new ProfileBundle(model, List.of(ForwardTime.perSample(eff.get("forward_computation_time").asDouble())),
                    ForwardTime.perSample(1), List.of(lp), om, om, om, hw);
            CostModelOptions o = new CostModelOptions(8, 36, eff.get("mixed_precision").asBoolean() ? "bf16" : "fp32", true, false,
                    SpSpace.parse(eff.get("sp_space").asText()), PipelineType.GPIPE, DpType.DDP, false, true, 1.0);
            CostModel cm = new CostModel(bundle, o);
            LayerStrategy s = strategy(c.get("strategy"));
            LayerTime t = cm.layerTime(s, 0, up.get("global_batch_size").asDouble());
            boolean noComm = up.has("no_comm") && up.get("no_comm").asBoolean();
            String what = "time case " + s.form();
            int n = lt.layerCount();
            assertRel(c.get("fct").asDouble(), t.forwardMs() * n, what + " fct");
            assertRel(c.get("bct").asDouble(), t.backwardMs() * n, what + " bct");
            assertRel(c.get("tp_communication_time").asDouble(), t.tpMs() * n, what + " tp time");
            assertRel(c.get("result_s_per_layer").asDouble(), noComm ? t.noCommS() : t.totalS(), what + " result");
            checked += 4;
        }
        ConformanceCounter.add("time_cost_model", checked);
        assertEquals(20, checked, "every time_cost_model vector of Galvatron's own tests was checked (an empty list would pass)");
    }

    @Test
    void otherTimeCostModel(@TempDir Path dir) {
        HardwareProfile fixture = Conformance.fixtureHardware(dir);
        Map<String, Double> coe = new LinkedHashMap<>();
        coe.put("1", 1.0);
        coe.put("2", 0.8);
        coe.put("2_0", 0.9);
        coe.put("4", 0.6);
        coe.put("4_0", 0.7);
        coe.put("8", 0.5);
        coe.put("8_0", 0.6);
        Map<Integer, CollectiveTimeTable> tables = new TreeMap<>();
        for (int g : new int[] {2, 4, 8}) {
            tables.put(g, new CollectiveTimeTable(Map.of(1024L, 0.1, 2048L, 0.2, 4096L, 0.4), 0.0001, 0.1));
        }
        HardwareProfile hw = fixture.withCoefficients(coe, Map.of(2, 1.0, 4, 1.0, 8, 1.0), 1.3).withSpTables(tables, tables);
        Map<Integer, Double> states = Map.of(1, 640.0, 2, 320.0, 4, 160.0, 8, 80.0);
        OtherMemoryProfile om = new OtherMemoryProfile(states, Map.of(1, 1.0, 2, 1.0, 4, 1.0, 8, 1.0));
        ModelDescription model = new ModelDescription("mock", ModelFamily.LLAMA_HF, List.of(new LayerType(1024, 1024, 16)), 1024, 16, 16, 4096, 32000);
        ProfileBundle bundle = new ProfileBundle(model, List.of(ForwardTime.perSample(1)), ForwardTime.perSample(35.0),
                List.of(new LayerMemoryProfile(1, Map.of(1, 1.0), 1)), om, om, om, hw);
        int checked = 0;
        for (JsonNode c : UNIT.get("other_time_cost_model")) {
            JsonNode up = c.get("updates");
            boolean mp = up.has("mixed_precision") && up.get("mixed_precision").asBoolean();
            SpSpace space = up.has("sp_space") ? SpSpace.parse(up.get("sp_space").asText()) : SpSpace.TP;
            CostModelOptions o = new CostModelOptions(8, 36, mp ? "bf16" : "fp32", true, false, space, PipelineType.GPIPE,
                    DpType.DDP, false, true, 1.0);
            CostModel cm = new CostModel(bundle, o);
            boolean vsp = up.has("vsp") && up.get("vsp").asInt() == 1;
            OtherTime ot = cm.otherTime(4, up.get("pp_deg").asInt(), vsp, false, up.get("min_tp").asInt(), up.get("max_tp").asInt());
            checked += compare(c.get("other_time_cost"), ot.withCommS(), "with comm " + up);
            checked += compare(c.get("other_time_cost_no_comm"), ot.noCommS(), "no comm " + up);
        }
        ConformanceCounter.add("other_time_cost_model", checked);
        assertEquals(40, checked, "every other_time_cost_model vector of Galvatron's own tests was checked (an empty list would pass)");
    }

    private static int compare(JsonNode expected, Map<Integer, double[]> got, String what) {
        assertEquals(expected.size(), got.size(), what + " keys");
        int n = 0;
        for (var e : expected.properties()) {
            double[] g = got.get(Integer.parseInt(e.getKey()));
            assertEquals(e.getValue().size(), g.length, what + " stages");
            for (int i = 0; i < g.length; i++) {
                assertRel(e.getValue().get(i).asDouble(), g[i], what + " k=" + e.getKey() + "[" + i + "]");
                n++;
            }
        }
        return n;
    }

    @Test
    void optimalChunks() {
        int checked = 0;
        for (JsonNode c : UNIT.get("check_optimal_chunks")) {
            int world = c.get("world_size").asInt();
            int bsz = c.get("bsz").asInt();
            int minTp = c.get("min_tp").asInt();
            for (var e : c.get("mbsz_dict").properties()) {
                int pp = Integer.parseInt(e.getKey());
                int local = bsz * minTp / (world / pp);
                int chunks = CostModel.optimalChunks(local, minTp, e.getValue().asInt(), minTp);
                assertEquals(c.get("chunks").get(e.getKey()).asDouble(), chunks, "chunks " + c);
                checked++;
            }
        }
        ConformanceCounter.add("check_optimal_chunks", checked);
        assertEquals(6, checked, "every check_optimal_chunks vector of Galvatron's own tests was checked (an empty list would pass)");
    }
}
