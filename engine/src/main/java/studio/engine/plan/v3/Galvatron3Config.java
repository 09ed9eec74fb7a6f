package studio.engine.plan.v3;

import studio.engine.io.JsonFiles;
import studio.engine.plan.GalvatronConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * The {@code galvatron_config_*.json} Galvatron 3.0's search writes (v3 spec §7.1, §7.2), byte for byte. With
 * {@code runtimeKeys}, also what its runtime reads but its search never writes (quirks Q-v3-4 and Q-v3-9):
 * {@code cp_sizes_enc}, {@code vcp} and {@code vocab_sdp}, so a cp or ZeRO-3 vocabulary choice is not lost. A plan
 * that places experts (the studio's MoE search) also has {@code ep_sizes_enc} and {@code tp_of_ep_sizes_enc}.
 */
public final class Galvatron3Config {
    private Galvatron3Config() {
    }

    public static String toJson(Plan3 plan, boolean runtimeKeys) {
        List<HybridStrategy> ls = plan.layers();
        HybridStrategy e = plan.vocabulary();
        List<String[]> kv = new ArrayList<>();
        kv.add(new String[] {"pp_deg", String.valueOf(plan.pp())});
        kv.add(new String[] {"tp_sizes_enc", encode(ls, HybridStrategy::tensorOrSequenceDegree)});
        kv.add(new String[] {"tp_consecutive_flags", encode(ls, s -> 1)});
        kv.add(new String[] {"dp_types_enc", encode(ls, s -> s.zero3() ? 1 : 0)});
        kv.add(new String[] {"use_sp", encode(ls, s -> s.sp() > 1 ? 1 : 0)});
        kv.add(new String[] {"checkpoint", encode(ls, s -> s.checkpoint() ? 1 : 0)});
        kv.add(new String[] {"world_size", String.valueOf(plan.worldSize())});
        kv.add(new String[] {"global_bsz", String.valueOf(plan.globalBatch())});
        kv.add(new String[] {"chunks", String.valueOf(plan.chunks())});
        kv.add(new String[] {"pp_division", '"' + plan.pipelineDivision().stream().map(String::valueOf).collect(Collectors.joining(",")) + '"'});
        kv.add(new String[] {"pipeline_type", '"' + plan.pipelineType().configName() + '"'});
        kv.add(new String[] {"default_dp_type", '"' + plan.defaultDpType().configName() + '"'});
        kv.add(new String[] {"vtp", String.valueOf(e.tensorOrSequenceDegree())});
        kv.add(new String[] {"vsp", e.sp() > 1 ? "1" : "0"});
        kv.add(new String[] {"embed_sdp", e.zero3() ? "1" : "0"});
        if (runtimeKeys) {
            kv.add(new String[] {"cp_sizes_enc", encode(ls, HybridStrategy::cp)});
            kv.add(new String[] {"vcp", String.valueOf(e.cp())});
            kv.add(new String[] {"vocab_sdp", e.zero3() ? "1" : "0"});
        }
        if (ls.stream().anyMatch(HybridStrategy::placesExperts)) {
            // the experts' layout, which the runtime reads (hybrid_parallel_config.py) and Galvatron's search never sets
            kv.add(new String[] {"ep_sizes_enc", encode(ls, HybridStrategy::ep)});
            kv.add(new String[] {"tp_of_ep_sizes_enc", encode(ls, HybridStrategy::expertTp)});
        }
        return GalvatronConfig.pythonJson(kv);
    }

    /**
     * The config a plan is run with on {@code target}: v2's (with cp_sizes_enc), or 3.0's with the keys its runtime
     * reads and its search omits. What the studio exports and what it launches.
     */
    public static String forTarget(studio.engine.plan.ParallelPlan plan, studio.engine.plan.TargetRuntime target, int worldSize) {
        return target == studio.engine.plan.TargetRuntime.GALVATRON_V3 ? toJson(Plan3.of(plan, worldSize), true) : GalvatronConfig.toJson(plan);
    }

    private static String encode(List<HybridStrategy> layers, ToIntFunction<HybridStrategy> f) {
        return '"' + layers.stream().map(s -> String.valueOf(f.applyAsInt(s))).collect(Collectors.joining(",")) + '"';
    }

    public static void write(Path file, Plan3 plan, boolean runtimeKeys) throws IOException {
        JsonFiles.writeAtomically(file, toJson(plan, runtimeKeys));
    }

    /**
     * Galvatron 3.0's file name: {@code galvatron_config_{model}_{N}nodes_{G}gpus_per_node_{M}GB_{precision}[_bsz{B}][_[..._off]].json},
     * where the off list names dp, tp, pp, fsdp and ckpt (in that order) when disabled.
     */
    public static String fileName(String model, int nodes, int gpusPerNode, int memoryGb, String precision, int settleBsz,
                                  boolean disableDp, boolean disableTp, boolean disablePp, boolean disableFsdp, boolean disableCheckpoint) {
        List<String> off = new ArrayList<>();
        if (disableDp) off.add("dp");
        if (disableTp) off.add("tp");
        if (disablePp) off.add("pp");
        if (disableFsdp) off.add("fsdp");
        if (disableCheckpoint) off.add("ckpt");
        return GalvatronConfig.fileName(model, nodes, gpusPerNode, memoryGb, precision, settleBsz, off);
    }
}
