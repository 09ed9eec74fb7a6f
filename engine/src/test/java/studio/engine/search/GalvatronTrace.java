package studio.engine.search;

import studio.engine.conformance.Conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compares a search with Galvatron's recorded sub-search optima ({@code tasks.tsv}) and pp candidates. */
final class GalvatronTrace {
    private GalvatronTrace() {
    }

    static String key(TaskResult r) {
        return r.globalBatch() + "\t" + r.chunks() + "\t" + r.minTp() + "\t" + r.maxTp() + "\t" + r.vsp() + "\t" + r.embedSdp() + "\t" + r.spSearch().code();
    }

    static String strategies(PpCandidate c) {
        if (!c.feasible()) return "None";
        List<String> stages = new ArrayList<>();
        int l = 0;
        for (int n : c.division()) {
            List<String> s = new ArrayList<>();
            for (int i = 0; i < n; i++) s.add(c.layers().get(l++).form());
            stages.add(String.join(", ", s));
        }
        return String.join(" || ", stages);
    }

    static String list(List<Integer> xs) {
        return xs.size() == 1 && xs.get(0) == -1 ? "-1" : brackets(xs);
    }

    static String brackets(List<Integer> xs) {
        return xs.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }

    /** Every sub-search's throughput within 1e-6 (plans may differ where two plans tie exactly). */
    static int compareThroughputs(String resource, SearchResult result) {
        String[] lines = Conformance.text(resource).split("\n");
        Map<String, TaskResult> got = new LinkedHashMap<>();
        for (TaskResult r : result.tasks()) got.put(key(r), r);
        int n = 0;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] f = lines[i].split("\t");
            TaskResult r = got.get(String.join("\t", Arrays.copyOfRange(f, 0, 7)));
            double th = Double.parseDouble(f[12]);
            if (th == 0) assertEquals(0.0, r.throughput()); else Conformance.assertRel(th, r.throughput(), "task " + f[0] + " " + f[1]);
            n++;
        }
        return n;
    }

    /** @return number of values compared */
    static int compareTasks(String resource, SearchResult result) {
        String[] lines = Conformance.text(resource).split("\n");
        Map<String, String[]> expected = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] f = lines[i].replaceAll("np\\.int64\\((-?\\d+)\\)", "$1").split("\t");
            expected.put(String.join("\t", Arrays.copyOfRange(f, 0, 7)), f);
        }
        Map<String, TaskResult> got = new LinkedHashMap<>();
        for (TaskResult r : result.tasks()) got.put(key(r), r);
        assertEquals(expected.keySet(), got.keySet(), "the same sub-searches, in the same order");
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(got.keySet()));
        int n = 0;
        for (var e : expected.entrySet()) {
            String[] f = e.getValue();
            TaskResult r = got.get(e.getKey());
            PpCandidate c = r.best();
            String what = "task " + e.getKey().replace('\t', ' ');
            assertEquals(Integer.parseInt(f[7]), c.feasible() ? c.pp() : -1, what + " pp");
            assertEquals(Integer.parseInt(f[11]), c.vocabTp(), what + " vtp");
            double th = Double.parseDouble(f[12]);
            if (th == 0) {
                assertEquals(0.0, r.throughput(), what + " throughput");
            } else {
                Conformance.assertRel(th, r.throughput(), what + " throughput");
                Conformance.assertRel(Double.parseDouble(f[8]), c.costS(), what + " cost");
                assertEquals(f[9], list(c.remainingMb()), what + " memory remaining");
                assertEquals(f[10], list(c.memoryCostMb()), what + " memory cost");
            }
            assertEquals(f[13].strip(), strategies(c), what + " strategies");
            n += 6;
        }
        return n;
    }

    static int compareCandidates(String resource, SearchResult result) {
        String[] lines = Conformance.text(resource).split("\n");
        Map<String, PpCandidate> got = new LinkedHashMap<>();
        for (TaskResult r : result.tasks()) {
            for (PpCandidate c : r.candidates()) got.put(key(r) + "\t" + c.pp(), c);
        }
        int n = 0;
        int rows = 0;
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            rows++;
            String[] f = lines[i].replaceAll("np\\.int64\\((-?\\d+)\\)", "$1").split("\t");
            String k = String.join("\t", Arrays.copyOfRange(f, 0, 8));
            PpCandidate c = got.get(k);
            assertTrue(c != null, "pp candidate " + k.replace('\t', ' '));
            String what = "candidate " + k.replace('\t', ' ');
            if (f[8].equals("inf")) {
                assertEquals(Double.POSITIVE_INFINITY, c.costS(), what);
            } else {
                Conformance.assertRel(Double.parseDouble(f[8]), c.costS(), what + " cost");
            }
            assertEquals(f[9], brackets(c.remainingMb()), what + " remaining");
            assertEquals(f[10].strip(), brackets(c.memoryCostMb()), what + " memory cost");
            n += 3;
        }
        assertEquals(rows, got.size(), "the same pp candidates");
        return n;
    }
}
