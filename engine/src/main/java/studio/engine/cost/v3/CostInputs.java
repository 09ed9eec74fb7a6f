package studio.engine.cost.v3;

import studio.engine.io.InputFileException;
import studio.engine.profile.v3.HardwareTables;
import studio.engine.profile.v3.LatencyTable;
import studio.engine.profile.v3.ModelProfile;
import studio.engine.profile.OtherMemoryProfile;

import java.util.Map;

/** The profiles and settings every Galvatron 3.0 cost component reads, with lookups that name a missing key. */
public record CostInputs(ModelProfile profile, HardwareTables hardware, CostSettings settings) {
    /** {@code allreduce_latency_per_MB_dict} key of a group: {@code "{sdp}_0"} under Megatron-TP, else {@code "{sdp}_1"}. */
    double allreduceMsPerMb(int group, int tp) {
        String key = group + (tp != 1 ? "_0" : "_1");
        Double c = hardware.allreduceMsPerMb().get(key);
        if (c == null) {
            throw new InputFileException(hardware.allreduceFile(), "allreduce_size_" + group + "_consec_" + (tp != 1 ? "0" : "1"),
                    "missing; a data-parallel group of " + group + " needs it (profile the hardware for this cluster size)");
        }
        return c;
    }

    double allreduceMsPerMb(String key) {
        Double c = hardware.allreduceMsPerMb().get(key);
        if (c == null) throw new InputFileException(hardware.allreduceFile(), key, "missing all-reduce coefficient");
        return c;
    }

    double p2pMsPerMb(int pp) {
        Double c = hardware.p2pMsPerMb().get(pp);
        if (c == null) throw new InputFileException(hardware.p2pFile(), "pp_size_" + pp, "missing; pipeline degree " + pp + " needs its p2p bandwidth");
        return c;
    }

    LatencyTable allGather(int group) {
        LatencyTable t = hardware.allGather().get(group);
        if (t == null) throw new InputFileException(hardware.collectiveFile(), "allreduce_size_" + group + "_{size}MB_time", "missing; Megatron-TP " + group + " needs its collective times");
        return t;
    }

    LatencyTable allToAll(int group) {
        LatencyTable t = hardware.allToAll().get(group);
        if (t == null) throw new InputFileException(hardware.collectiveFile(), "all2all_size_" + group + "_{size}MB_time", "missing; Ulysses " + group + " needs its all-to-all times");
        return t;
    }

    double layerActivation(int tps) {
        Double a = profile.activationMbByDegree().get(tps);
        if (a == null) {
            throw new InputFileException(profile.memoryFile(), "layertype_0" + profile.memorySuffix() + ".tp_activation_per_bsz_dict." + tps,
                    "missing; strategies of TP or Ulysses degree " + tps + " need it");
        }
        return a;
    }

    static double entry(ModelProfile profile, OtherMemoryProfile other, Map<Integer, Double> table, String part, int degree) {
        Double v = table.get(degree);
        if (v == null) {
            throw new InputFileException(profile.memoryFile(), profile.keyOf(other) + "." + part + "." + degree,
                    "missing; a vocabulary strategy of degree " + degree + " needs it");
        }
        return v;
    }
}
