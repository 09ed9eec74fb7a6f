package studio.engine.profile.v3;

import studio.engine.profile.CollectiveTimeTable;
import studio.engine.profile.HardwareProfile;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Galvatron 3.0's view of the hardware files (v3 spec §2.5), built from the same {@link HardwareProfile} the v2 model
 * reads: all-reduce coefficients in ms/MB keyed {@code "8"}, {@code "4_0"}, {@code "4_1"}, ... with 3.0's
 * {@code N_0}/{@code N_1}/{@code 1_0}/{@code 1_1} aliases; p2p coefficients by pipeline degree; the overlap slowdown;
 * the all-gather (half the all-reduce time) and all-to-all latency tables keyed by integer MB; and which group sizes
 * the byte-keyed tables hold (Galvatron checks them).
 */
public record HardwareTables(Path allreduceFile, Map<String, Double> allreduceMsPerMb, Path p2pFile,
                             Map<Integer, Double> p2pMsPerMb, double overlapCoefficient, Path collectiveFile,
                             Map<Integer, LatencyTable> allGather, Map<Integer, LatencyTable> allToAll,
                             Set<Integer> allreduceGroups, Set<Integer> allToAllGroups) {
    public HardwareTables {
        allreduceMsPerMb = Map.copyOf(allreduceMsPerMb);
        p2pMsPerMb = Map.copyOf(p2pMsPerMb);
        allGather = Map.copyOf(allGather);
        allToAll = Map.copyOf(allToAll);
        allreduceGroups = Set.copyOf(allreduceGroups);
        allToAllGroups = Set.copyOf(allToAllGroups);
    }

    public static HardwareTables of(HardwareProfile hw) {
        Map<String, Double> coe = new LinkedHashMap<>(hw.commCoe());
        int n = hw.worldSize();
        if (n >= 2) {
            coe.put(n + "_1", hw.commCoe().get(Integer.toString(n)));
            coe.put(n + "_0", hw.commCoe().get(Integer.toString(n)));
        }
        coe.put("1_1", 0.0);
        coe.put("1_0", 0.0);
        Map<Integer, LatencyTable> gather = new LinkedHashMap<>();
        Map<Integer, LatencyTable> toAll = new LinkedHashMap<>();
        if (hw.hasSpTables()) {
            hw.spAllreduceTables().forEach((g, t) -> gather.put(g, byMb(g, t)));
            hw.spAll2allTables().forEach((g, t) -> toAll.put(g, byMb(g, t)));
        }
        return new HardwareTables(hw.allreduceFile(), coe, hw.p2pFile(), hw.p2pCoe(), hw.overlapCoe(), hw.spTimeFile(), gather, toAll,
                gather.keySet(), toAll.keySet());
    }

    private static LatencyTable byMb(int group, CollectiveTimeTable t) {
        Map<Integer, Double> byMb = new LinkedHashMap<>();
        t.measuredMsByBytes().forEach((bytes, ms) -> byMb.put((int) (bytes / 1048576L), ms));
        return new LatencyTable(group, byMb, t.slopeMsPerMb(), t.interceptMs());
    }
}
