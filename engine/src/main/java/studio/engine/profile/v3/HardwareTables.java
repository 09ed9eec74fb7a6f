package studio.engine.profile.v3;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Galvatron 3.0's hardware tables (v3 spec §2.5): all-reduce coefficients in ms/MB keyed {@code "8"}, {@code "4_0"},
 * {@code "4_1"}, ...; p2p coefficients by pipeline degree; the overlap slowdown; the all-gather and all-to-all
 * latency tables by group size, and which group sizes the byte-keyed tables hold (Galvatron checks them).
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
}
