package studio.engine.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import studio.engine.io.InputFileException;
import studio.engine.io.JsonFiles;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster as Galvatron's profiler measured it: all-reduce and p2p bus bandwidths (turned into ms per MB
 * coefficients), the compute/communication overlap slowdown, and the optional SP collective time tables.
 */
public final class HardwareProfile {
    private final int worldSize;
    private final Map<String, Double> commCoe;
    private final Map<Integer, Double> p2pCoe;
    private final double overlapCoe;
    private final Map<Integer, CollectiveTimeTable> spAllreduce;
    private final Map<Integer, CollectiveTimeTable> spAll2all;
    private final Path allreduceFile;
    private final Path p2pFile;
    private final Path spTimeFile;
    /** {@link #lookup} and {@link #coe} by group size (NaN: not in the file), read per strategy pair in every search. */
    private final double[] lookupBySize;
    private final double[][] coeBySize;

    public HardwareProfile(int worldSize, Map<String, Double> commCoe, Map<Integer, Double> p2pCoe, double overlapCoe,
                           Map<Integer, CollectiveTimeTable> spAllreduce, Map<Integer, CollectiveTimeTable> spAll2all,
                           Path allreduceFile, Path p2pFile, Path spTimeFile) {
        this.worldSize = worldSize;
        this.commCoe = Collections.unmodifiableMap(new LinkedHashMap<>(commCoe));
        this.p2pCoe = Collections.unmodifiableMap(new TreeMap<>(p2pCoe));
        this.overlapCoe = overlapCoe;
        this.spAllreduce = spAllreduce == null ? null : Collections.unmodifiableMap(new TreeMap<>(spAllreduce));
        this.spAll2all = spAll2all == null ? null : Collections.unmodifiableMap(new TreeMap<>(spAll2all));
        this.allreduceFile = allreduceFile;
        this.p2pFile = p2pFile;
        this.spTimeFile = spTimeFile;
        int sizes = Math.max(1, worldSize) + 1;
        this.lookupBySize = new double[sizes];
        this.coeBySize = new double[2][sizes];
        for (int n = 0; n < sizes; n++) {
            Double plain = this.commCoe.get(String.valueOf(n));
            if (plain == null) plain = this.commCoe.get(n + "_1");
            lookupBySize[n] = plain == null ? Double.NaN : plain;
            for (int c = 0; c < 2; c++) {
                Double v = this.commCoe.get(n + "_" + c);
                coeBySize[c][n] = v == null ? Double.NaN : v;
            }
        }
    }

    /**
     * Reads the hardware files. {@code spTime} may be null: the SP tables are then only required when a cost
     * needs them (sp_space tp+sp), and asking for one fails with a clear message.
     */
    public static HardwareProfile read(int worldSize, Path allreduce, Path p2p, Path overlap, Path spTime) {
        ObjectNode ar = JsonFiles.readObject(allreduce);
        Map<String, Double> coe = new LinkedHashMap<>();
        if (worldSize >= 2) {
            coe.put(String.valueOf(worldSize), 1.0 / bandwidth(allreduce, ar, "allreduce_size_" + worldSize + "_consec_1"));
            for (int g = worldSize / 2; g >= 2; g /= 2) {
                coe.put(g + "_0", 1.0 / bandwidth(allreduce, ar, "allreduce_size_" + g + "_consec_0"));
                coe.put(g + "_1", 1.0 / bandwidth(allreduce, ar, "allreduce_size_" + g + "_consec_1"));
            }
        }
        coe.put("1", 0.0);

        ObjectNode pp = JsonFiles.readObject(p2p);
        Map<Integer, Double> p2pCoe = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(pp)) {
            if (!e.getKey().startsWith("pp_size_")) continue;
            int g;
            try {
                g = Integer.parseInt(e.getKey().substring("pp_size_".length()));
            } catch (NumberFormatException ex) {
                throw new InputFileException(p2p, e.getKey(), "expected pp_size_{degree}");
            }
            p2pCoe.put(g, 1.0 / bandwidth(p2p, pp, e.getKey()));
        }
        if (p2pCoe.isEmpty() && worldSize >= 2) {
            throw new InputFileException(p2p, "pp_size_2", "missing; expected p2p bandwidths (GB/s) keyed pp_size_{degree}");
        }

        ObjectNode ov = JsonFiles.readObject(overlap);
        double overlapCoe = JsonFiles.positive(overlap, "overlap_coe", ov.get("overlap_coe"), "a slowdown factor (about 1.1-1.5)");

        Map<Integer, CollectiveTimeTable> spAr = null;
        Map<Integer, CollectiveTimeTable> spA2a = null;
        if (spTime != null) {
            ObjectNode sp = JsonFiles.readObject(spTime);
            spAr = spTables(spTime, sp, "allreduce", true);
            spA2a = spTables(spTime, sp, "all2all", false);
        }
        return new HardwareProfile(worldSize, coe, p2pCoe, overlapCoe, spAr, spA2a, allreduce, p2p, spTime);
    }

    private static double bandwidth(Path file, ObjectNode json, String key) {
        return JsonFiles.positive(file, key, json.get(key), "a bandwidth in GB/s");
    }

    private static Map<Integer, CollectiveTimeTable> spTables(Path file, ObjectNode json, String op, boolean halve) {
        Map<Integer, Map<Long, Double>> raw = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : JsonFiles.fields(json)) {
            String k = e.getKey();
            if (!k.startsWith(op)) continue;
            String[] parts = k.split("_");
            int g;
            long mb;
            try {
                g = Integer.parseInt(parts[parts.length - 3]);
                String sz = parts[parts.length - 2];
                mb = Long.parseLong(sz.substring(0, sz.length() - 2));
            } catch (RuntimeException ex) {
                throw new InputFileException(file, k, "expected " + op + "_size_{group}_{M}MB_time");
            }
            double ms = JsonFiles.positive(file, k, e.getValue(), "a time in ms");
            // all-reduce time halved: Galvatron models all-gather / reduce-scatter with it
            raw.computeIfAbsent(g, x -> new TreeMap<>()).put(mb * 1048576L, halve ? ms / 2 : ms);
        }
        Map<Integer, CollectiveTimeTable> out = new TreeMap<>();
        for (Map.Entry<Integer, Map<Long, Double>> e : raw.entrySet()) {
            Map<Long, Double> pts = e.getValue();
            if (pts.size() < 8) {
                throw new InputFileException(file, op + "_size_" + e.getKey() + "_{M}MB_time",
                        "needs at least 8 message sizes for the fit, found " + pts.size());
            }
            double[] x = pts.keySet().stream().mapToDouble(b -> b / 1048576.0).toArray();
            double[] y = pts.values().stream().mapToDouble(Double::doubleValue).toArray();
            double[] c = LeastSquares.polyfit(x, y, 1);
            out.put(e.getKey(), new CollectiveTimeTable(pts, c[1], c[0]));
        }
        return out;
    }

    /** The same cluster with other coefficients (what-if analysis, and the unit vectors of Galvatron's tests). */
    public HardwareProfile withCoefficients(Map<String, Double> newCommCoe, Map<Integer, Double> newP2pCoe, double newOverlapCoe) {
        return new HardwareProfile(worldSize, newCommCoe, newP2pCoe, newOverlapCoe, spAllreduce, spAll2all, allreduceFile,
                p2pFile, spTimeFile);
    }

    /** The same cluster with other SP collective tables. */
    public HardwareProfile withSpTables(Map<Integer, CollectiveTimeTable> allreduce, Map<Integer, CollectiveTimeTable> all2all) {
        return new HardwareProfile(worldSize, commCoe, p2pCoe, overlapCoe, allreduce, all2all, allreduceFile, p2pFile, spTimeFile);
    }

    public int worldSize() { return worldSize; }

    public Map<String, Double> commCoe() { return commCoe; }

    public Map<Integer, Double> p2pCoe() { return p2pCoe; }

    public double overlapCoe() { return overlapCoe; }

    public boolean hasSpTables() { return spAllreduce != null; }

    /** Galvatron's coefficient lookup: {@code coe[str(n)]} if present, else {@code coe[n + "_1"]}. */
    public double lookup(int n) {
        if (n >= 0 && n < lookupBySize.length && !Double.isNaN(lookupBySize[n])) return lookupBySize[n];
        Double v = commCoe.get(String.valueOf(n));
        if (v == null) v = commCoe.get(n + "_1");
        if (v == null) throw missingGroup(n + "_1");
        return v;
    }

    /** The coefficient of a group of {@code n} ranks, consecutive (1) or strided (0). */
    public double coe(int n, int consecutive) {
        if (n >= 0 && n < lookupBySize.length && (consecutive == 0 || consecutive == 1) && !Double.isNaN(coeBySize[consecutive][n])) {
            return coeBySize[consecutive][n];
        }
        Double v = commCoe.get(n + "_" + consecutive);
        if (v == null) throw missingGroup(n + "_" + consecutive);
        return v;
    }

    private InputFileException missingGroup(String key) {
        String[] p = key.split("_");
        return new InputFileException(allreduceFile, "allreduce_size_" + p[0] + "_consec_" + p[1],
                "missing; needed for a group of " + p[0] + " GPUs on " + worldSize + " GPUs");
    }

    public double p2p(int pp) {
        Double v = p2pCoe.get(pp);
        if (v == null) throw new InputFileException(p2pFile, "pp_size_" + pp, "missing; needed for pipeline degree " + pp);
        return v;
    }

    /** The SP all-reduce tables (half the measured time, by bytes) by group size; null without an sp_time file. */
    public Map<Integer, CollectiveTimeTable> spAllreduceTables() { return spAllreduce; }

    public Map<Integer, CollectiveTimeTable> spAll2allTables() { return spAll2all; }

    public Path allreduceFile() { return allreduceFile; }

    public Path p2pFile() { return p2pFile; }

    public Path spTimeFile() { return spTimeFile; }

    public CollectiveTimeTable spAllreduce(int group) { return spTable(spAllreduce, "allreduce", group); }

    public CollectiveTimeTable spAll2all(int group) { return spTable(spAll2all, "all2all", group); }

    private CollectiveTimeTable spTable(Map<Integer, CollectiveTimeTable> tables, String op, int group) {
        if (tables == null) {
            throw new InputFileException(spTimeFile, "--sp_time_path", "no sp_time file was given; sp_space tp+sp needs the "
                    + "measured SP collective times (sp_time_{N}nodes_{G}gpus_per_node.json)");
        }
        CollectiveTimeTable t = tables.get(group);
        if (t == null) throw new InputFileException(spTimeFile, op + "_size_" + group + "_{M}MB_time", "missing; needed for group size " + group);
        return t;
    }
}
