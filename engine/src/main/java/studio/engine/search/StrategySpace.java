package studio.engine.search;

import studio.engine.cost.SpSpace;
import studio.engine.plan.LayerStrategy;

import java.util.ArrayList;
import java.util.List;

/** Galvatron's strategy enumeration (search-engine spec §3.2 and §3.3), in its exact order. */
public final class StrategySpace {
    /**
     * The strategies and the disable flags in force after the search-space preset changed them (they name the
     * output file).
     */
    public record Generated(List<LayerStrategy> strategies, boolean disableDp, boolean disableTp, boolean disablePp,
                            boolean disableSdp, boolean disableCkpt, boolean disableTpConsec) {
        public Generated {
            strategies = List.copyOf(strategies);
        }
    }

    private StrategySpace() {
    }

    public static Generated generate(int world, SearchOptions o, SpSpace spSpace) {
        boolean dDp = o.disableDp();
        boolean dTp = o.disableTp();
        boolean dPp = o.disablePp();
        boolean dSdp = o.disableSdp();
        boolean dCkpt = o.disableCkpt();
        boolean dConsec = o.disableTpConsec();
        switch (o.searchSpace()) {
            case DP_TP: dSdp = true; dPp = true; break;
            case DP_PP: dSdp = true; dTp = true; break;
            case THREE_D: dSdp = true; break;
            default: break;
        }
        List<LayerStrategy> base = enumerate(world, o);
        List<LayerStrategy> expanded = new ArrayList<>();
        for (LayerStrategy s : base) {
            if (s.tp() > 1) {
                switch (spSpace) {
                    case TP: expanded.add(s.withUlysses(0)); break;
                    case SP: expanded.add(s.withUlysses(1)); break;
                    default:
                        expanded.add(s.withUlysses(0));
                        expanded.add(s.withUlysses(1));
                }
            } else {
                expanded.add(s);
            }
        }
        SearchSpace sp = o.searchSpace();
        if (sp == SearchSpace.THREE_D || sp == SearchSpace.DP || sp == SearchSpace.TP || sp == SearchSpace.PP || sp == SearchSpace.SDP) {
            return new Generated(expanded, dDp, dTp, dPp, dSdp, true, dConsec);
        }
        if (dSdp && dDp) {
            throw new IllegalArgumentException("--disable_sdp and --disable_dp together leave no data parallelism to search");
        }
        List<LayerStrategy> kept = new ArrayList<>();
        for (LayerStrategy s : expanded) {
            if (dDp && s.dp() > 1 && s.isDefaultDp()) continue;
            if (dSdp && s.dp() > 1 && s.isZero3()) continue;
            if (dTp && s.tp() > 1) continue;
            if (dPp && s.pp() > 1) continue;
            if (dConsec && s.hasStridedTp()) continue;
            if (s.tp() > o.maxTpDeg()) continue;
            if (s.pp() > o.maxPpDeg()) continue;
            kept.add(s);
        }
        if (!dCkpt) {
            List<LayerStrategy> withCkpt = new ArrayList<>(kept);
            for (LayerStrategy s : kept) withCkpt.add(s.withCheckpoint(true));
            kept = withCkpt;
        }
        return new Generated(kept, dDp, dTp, dPp, dSdp, dCkpt, dConsec);
    }

    private static List<LayerStrategy> enumerate(int n, SearchOptions o) {
        List<LayerStrategy> out = new ArrayList<>();
        switch (o.searchSpace()) {
            case FULL:
                for (int pp = 1; pp <= n; pp *= 2) {
                    for (int tp = 1; tp <= n; tp *= 2) {
                        if (pp * tp > n) continue;
                        addDpTp(out, pp, tp, n / (pp * tp), true);
                    }
                }
                break;
            case DP_TP:
                for (int tp = 1; tp <= n; tp *= 2) addDpTp(out, 1, tp, n / tp, false);
                break;
            case DP_PP:
                for (int pp = 1; pp <= n; pp *= 2) {
                    int dp = n / pp;
                    out.add(dp == 1 ? new LayerStrategy(pp, 1, 1, -1, -1, -1, false) : new LayerStrategy(pp, 1, dp, -1, 0, -1, false));
                }
                break;
            case THREE_D:
                out.add(new LayerStrategy(2, 2, n / 4, 1, 0, -1, false));
                break;
            case DP:
                out.add(new LayerStrategy(1, 1, n, -1, 0, -1, false));
                break;
            case SDP:
                out.add(new LayerStrategy(1, 1, n, -1, 1, -1, false));
                break;
            case TP: {
                int tp = o.maxTpDeg();
                int dp = n / tp;
                out.add(new LayerStrategy(1, tp, dp, dp > 1 ? 1 : -1, 0, -1, false));
                break;
            }
            case PP: {
                int pp = o.maxPpDeg();
                out.add(new LayerStrategy(pp, 1, n / pp, -1, 0, -1, false));
                break;
            }
            default:
                throw new IllegalStateException();
        }
        return out;
    }

    private static void addDpTp(List<LayerStrategy> out, int pp, int tp, int dp, boolean withSdp) {
        if (tp == 1 || dp == 1) {
            if (dp == 1) {
                out.add(new LayerStrategy(pp, tp, 1, -1, -1, -1, false));
            } else {
                out.add(new LayerStrategy(pp, tp, dp, -1, 0, -1, false));
                if (withSdp) out.add(new LayerStrategy(pp, tp, dp, -1, 1, -1, false));
            }
        } else {
            out.add(new LayerStrategy(pp, tp, dp, 0, 0, -1, false));
            if (withSdp) out.add(new LayerStrategy(pp, tp, dp, 0, 1, -1, false));
            out.add(new LayerStrategy(pp, tp, dp, 1, 0, -1, false));
            if (withSdp) out.add(new LayerStrategy(pp, tp, dp, 1, 1, -1, false));
        }
    }

    /** Galvatron's batch-size sweep (§6.1). */
    public static List<Integer> batchSizes(SearchOptions o) {
        if (o.settleBsz() > 0) return List.of(o.settleBsz());
        int sc = o.bszScale();
        int lo = (Math.max(o.minBsz(), sc) / sc) * sc;
        int hi = o.maxBsz() % sc != 0 ? (int) Math.ceil((double) o.maxBsz() / sc) * sc : o.maxBsz() + sc;
        List<Integer> out = new ArrayList<>();
        for (int b = lo; b < hi; b += sc) out.add(b);
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no batch size to search: --min_bsz " + o.minBsz() + ", --max_bsz " + o.maxBsz()
                    + ", --bsz_scale " + sc);
        }
        return out;
    }
}
