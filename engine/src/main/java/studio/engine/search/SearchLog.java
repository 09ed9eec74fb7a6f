package studio.engine.search;

import studio.engine.plan.LayerStrategy;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A readable search log in the spirit of Galvatron's: every sub-search, its pp candidates, and the optimum. */
public final class SearchLog {
    /** What {@code %n} printed: the platform's line end. */
    private static final String NL = System.lineSeparator();

    private SearchLog() {
    }

    /** The log's head: what was searched. A sweep streams its sub-searches after it ({@link #task}), then {@link #footer}. */
    public static void header(Appendable sb, String header, SearchEngine engine) throws java.io.IOException {
        sb.append(header).append('\n');
        List<LayerStrategy> s = engine.space().strategies();
        sb.append("Searching ").append(String.valueOf(s.size())).append(" strategies: ")
                .append(s.stream().map(LayerStrategy::form).collect(Collectors.joining(", "))).append("\n\n");
    }

    /**
     * One sub-search: its pp candidates and its optimum. Appended piece by piece rather than formatted: a default
     * sweep writes half a million of them (the numbers print as {@code String.valueOf} prints them).
     */
    public static void task(Appendable sb, TaskResult t) throws java.io.IOException {
        sb.append("bsz=").append(Integer.toString(t.globalBatch())).append(" chunk=").append(Integer.toString(t.chunks()))
                .append(" min_tp=").append(Integer.toString(t.minTp())).append(" max_tp=").append(Integer.toString(t.maxTp()))
                .append(" vsp=").append(Integer.toString(t.vsp())).append(" embed_sdp=").append(Integer.toString(t.embedSdp()))
                .append(" sp_search=").append(Integer.toString(t.spSearch().code())).append(NL);
        boolean skipped = false;
        for (PpCandidate c : t.candidates()) {
            sb.append("  pp_deg=").append(Integer.toString(c.pp())).append(" division=").append(c.division().toString());
            if (!c.searched()) {
                skipped = true;
                sb.append(" not searched: no plan of it takes less than ").append(Double.toString(c.boundS()))
                        .append(" s, slower than a plan found").append(NL);
                continue;
            }
            sb.append(" time cost: ").append(c.costS() == Double.POSITIVE_INFINITY ? "inf" : Double.toString(c.costS()))
                    .append(", memory remaining: ").append(c.remainingMb().toString()).append(", memory cost: ")
                    .append(c.memoryCostMb().toString()).append(NL);
        }
        PpCandidate b = t.best();
        if (b.feasible()) {
            sb.append("  [Optimal pp_deg=").append(Integer.toString(b.pp())).append("] Minimized timecost=").append(Double.toString(b.costS()))
                    .append(" Memory remaining=").append(b.remainingMb().toString()).append(" Memory cost=").append(b.memoryCostMb().toString())
                    .append(" Vocab tp=").append(Integer.toString(b.vocabTp())).append(NL);
            sb.append("  Max throughput=").append(Double.toString(t.throughput())).append(" samples/s").append(NL);
            sb.append("  ").append(stages(b)).append('\n');
        } else {
            sb.append(skipped ? "  No plan of the degrees searched fits.\n" : "  No plan fits.\n");
        }
    }

    /** The log's end: how long it took, and the optimum. */
    public static void footer(Appendable sb, SearchResult r) throws java.io.IOException {
        sb.append(String.format(Locale.ROOT, "%nSearch took %d ms over %d sub-searches%n", r.elapsedMs(), r.taskCount()));
        if (r.notSearched() > 0) {
            sb.append(String.format(Locale.ROOT, "%d pipeline degrees not searched: no plan of theirs could beat one found "
                    + "(searching them all, as Galvatron does, finds the same optimum)%n", r.notSearched()));
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
