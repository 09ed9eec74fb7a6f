package studio.engine.search;

import studio.engine.plan.LayerStrategy;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A readable search log in the spirit of Galvatron's: every sub-search, its pp candidates, and the optimum. */
public final class SearchLog {
    private SearchLog() {
    }

    /** The log's head: what was searched. A sweep streams its sub-searches after it ({@link #task}), then {@link #footer}. */
    public static void header(Appendable sb, String header, SearchEngine engine) throws java.io.IOException {
        sb.append(header).append('\n');
        List<LayerStrategy> s = engine.space().strategies();
        sb.append("Searching ").append(String.valueOf(s.size())).append(" strategies: ")
                .append(s.stream().map(LayerStrategy::form).collect(Collectors.joining(", "))).append("\n\n");
    }

    /** One sub-search: its pp candidates and its optimum. */
    public static void task(Appendable sb, TaskResult t) throws java.io.IOException {
        sb.append(String.format(Locale.ROOT, "bsz=%d chunk=%d min_tp=%d max_tp=%d vsp=%d embed_sdp=%d sp_search=%d%n",
                t.globalBatch(), t.chunks(), t.minTp(), t.maxTp(), t.vsp(), t.embedSdp(), t.spSearch().code()));
        boolean skipped = false;
        for (PpCandidate c : t.candidates()) {
            if (!c.searched()) {
                skipped = true;
                sb.append(String.format(Locale.ROOT, "  pp_deg=%d division=%s not searched: no plan of it takes less than %s s, "
                        + "slower than a plan found before%n", c.pp(), c.division(), c.boundS()));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "  pp_deg=%d division=%s time cost: %s, memory remaining: %s, memory cost: %s%n",
                    c.pp(), c.division(), c.costS() == Double.POSITIVE_INFINITY ? "inf" : String.valueOf(c.costS()),
                    c.remainingMb(), c.memoryCostMb()));
        }
        PpCandidate b = t.best();
        if (b.feasible()) {
            sb.append(String.format(Locale.ROOT, "  [Optimal pp_deg=%d] Minimized timecost=%s Memory remaining=%s Memory cost=%s Vocab tp=%d%n",
                    b.pp(), b.costS(), b.remainingMb(), b.memoryCostMb(), b.vocabTp()));
            sb.append(String.format(Locale.ROOT, "  Max throughput=%s samples/s%n", t.throughput()));
            sb.append("  ").append(stages(b)).append('\n');
        } else {
            sb.append(skipped ? "  No plan of the degrees searched fits.\n" : "  No plan fits.\n");
        }
    }

    /** The log's end: how long it took, and the optimum. */
    public static void footer(Appendable sb, SearchResult r) throws java.io.IOException {
        sb.append(String.format(Locale.ROOT, "%nSearch took %d ms over %d sub-searches%n", r.elapsedMs(), r.taskCount()));
        if (r.notSearched() > 0) {
            sb.append(String.format(Locale.ROOT, "%d pipeline degrees of the sweep not searched: no plan of theirs could beat one found "
                    + "before them (Galvatron searches them all and finds the same optimum)%n", r.notSearched()));
        }
        if (r.found()) {
            TaskResult t = r.best();
            PpCandidate b = t.best();
            sb.append(String.format(Locale.ROOT, "Optimal bsz = %d Optimal chunk = %d Optimal vocab tp = %d Optimal vocab sp = %d "
                    + "Optimal embed sdp = %d Max throughput=%s samples/s%n", t.globalBatch(), t.chunks(), b.vocabTp(), t.vsp(),
                    t.embedSdp(), t.throughput()));
            sb.append(String.format(Locale.ROOT, "pp_deg=%d Minimized timecost=%s Memory remaining=%s Memory cost=%s%n", b.pp(),
                    b.costS(), b.remainingMb(), b.memoryCostMb()));
            sb.append(String.format(Locale.ROOT, "Min_tp=%d Max_tp=%d%n", t.minTp(), t.maxTp()));
            sb.append(stages(b)).append('\n');
        } else {
            sb.append("No valid configuration found.\n");
        }
    }

    /** Stages with runs of one strategy collapsed: {@code 2-2-2* x16 || 2-2-2*-c x4, 2-2-2* x12}. */
    public static String compact(PpCandidate c) {
        StringBuilder sb = new StringBuilder();
        int l = 0;
        for (int st = 0; st < c.division().size(); st++) {
            if (st > 0) sb.append(" || ");
            int end = l + c.division().get(st);
            boolean first = true;
            while (l < end) {
                int run = l;
                while (run + 1 < end && c.layers().get(run + 1).equals(c.layers().get(l))) run++;
                if (!first) sb.append(", ");
                sb.append(c.layers().get(l).form());
                if (run > l) sb.append(" x").append(run - l + 1);
                first = false;
                l = run + 1;
            }
        }
        return sb.toString();
    }

    public static String stages(PpCandidate c) {
        StringBuilder sb = new StringBuilder();
        int l = 0;
        for (int st = 0; st < c.division().size(); st++) {
            if (st > 0) sb.append(" || ");
            for (int i = 0; i < c.division().get(st); i++) {
                if (i > 0) sb.append(", ");
                sb.append(c.layers().get(l++).form());
            }
        }
        return sb.toString();
    }
}
