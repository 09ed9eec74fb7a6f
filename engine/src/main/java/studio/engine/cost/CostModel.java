package studio.engine.cost;

import studio.engine.profile.ProfileBundle;
import studio.engine.model.LayerType;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.PipelineType;
import studio.engine.profile.CollectiveTimeTable;
import studio.engine.profile.ForwardTime;
import studio.engine.profile.HardwareProfile;
import studio.engine.profile.LayerMemoryProfile;
import studio.engine.profile.OtherMemoryProfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Galvatron v2's memory and time cost models (search-engine spec §4 and §5), quirks included. Every formula keeps
 * Galvatron's order of floating-point operations so results match to the last digits.
 */
public final class CostModel {
    private static final double MB = 1048576.0;
    private static final int CONTEXT_MB = 1024;

    private final ProfileBundle profiles;
    private final CostModelOptions options;
    private final HardwareProfile hw;

    public CostModel(ProfileBundle profiles, CostModelOptions options) {
        this.profiles = profiles;
        this.options = options;
        this.hw = profiles.hardware();
    }

    public ProfileBundle profiles() { return profiles; }

    public CostModelOptions options() { return options; }

    // ---------------------------------------------------------------- chunks (§4.1)

    /** Galvatron's {@code optimal_chunk_func}. */
    public static int optimalChunks(int localBatch, int tp, int mbsz, int minTp) {
        int x = localBatch / (tp / minTp);
        int ch = (int) Math.ceil((double) x / mbsz);
        return ch == 0 ? 1 : ch;
    }

    /** Sizes of {@code torch.arange(n).chunk(c)}; may be fewer than c pieces. */
    public static int[] chunkSizes(int n, int c) {
        if (n <= 0) return new int[0];
        int cs = (int) Math.ceil((double) n / c);
        int pieces = (n + cs - 1) / cs;
        int[] out = new int[pieces];
        for (int i = 0; i < pieces; i++) out[i] = Math.min(cs, n - i * cs);
        return out;
    }

    // ---------------------------------------------------------------- ZeRO ratios (§4.3)

    double zero2Ratio(int g, int chunks) {
        return ZeroRedundancy.zero2Ratio(g, chunks, options.mixed(), options.asyncGradReduce());
    }

    double zero3Ratio(int g, int chunks) {
        return ZeroRedundancy.zero3Ratio(g, chunks, options.mixed(), options.asyncGradReduce());
    }

    // ---------------------------------------------------------------- layer memory (§4.2–4.5)

    /** Memory chunk count {@code C} of a strategy. */
    public int memoryChunks(LayerStrategy s, int globalBatch, int mbsz, int minTp) {
        int t = s.tp();
        int d = s.dp();
        int ch = optimalChunks(globalBatch / d, t, mbsz, minTp);
        int chMax = globalBatch / (t * d / minTp);
        if (chMax == 0) chMax = 1;
        return Math.min(ch, chMax);
    }

    public LayerMemory layerMemory(LayerStrategy s, int type, int globalBatch, int mbsz, int minTp, int stage) {
        return layerMemory(s, profiles.layerMemory().get(type), globalBatch, mbsz, minTp, stage, options.pipelineType());
    }

    public LayerMemory layerMemory(LayerStrategy s, LayerMemoryProfile prof, int globalBatch, int mbsz, int minTp, int stage,
                            PipelineType pipelineType) {
        int p = s.pp();
        int t = s.tp();
        int d = s.dp();
        boolean sp = s.isUlysses();
        int sdp = sp ? t * d : d;
        int c = memoryChunks(s, globalBatch, mbsz, minTp);
        double b = (double) globalBatch / d;
        int[] mu = chunkSizes((int) ((double) globalBatch / d / (t / minTp)), c);
        double bAct;
        if ((pipelineType == PipelineType.PIPEDREAM_FLUSH && p > 1) || p == 1) {
            int e = (p - stage) <= c ? (p - stage) : c;
            bAct = b * sum(mu, Math.min(e, mu.length)) / sum(mu, mu.length);
        } else {
            bAct = mu.length == 0 ? 0 : mu[0]; // GPipe keeps one micro-batch of the min-tp shard (quirk Q1)
        }
        double param = sp ? prof.parameterSizeMb() : prof.parameterSizeMb() / t;
        double ms = 4 * param;
        if (s.isZero3()) {
            ms *= zero3Ratio(sdp, c);
        } else if (s.isDefaultDp() && options.useZero2()) {
            ms *= zero2Ratio(sdp, c);
        }
        double act;
        if (s.checkpoint()) {
            act = prof.checkpointActivationMb() * bAct;
            if (options.sequenceParallel()) act /= t;
        } else {
            Double perSample = prof.activationPerSampleMb().get(t);
            if (perSample == null) {
                throw new IllegalArgumentException("the memory profile has no activation for TP degree " + t
                        + " (tp_activation_per_bsz_dict has " + prof.activationPerSampleMb().keySet() + ")");
            }
            act = perSample * bAct;
        }
        return new LayerMemory(c, bAct, param, ms, act);
    }

    private static double sum(int[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i];
        return s;
    }

    // ---------------------------------------------------------------- other memory (§4.6)

    /** Vocab TP candidates of the memory model: present in all three model-states tables (quirk Q3). */
    public List<Integer> vocabCandidates(int p, int minTp, int maxTp) {
        List<Integer> ks = vocabDegrees(p, minTp, maxTp);
        ks.removeIf(k -> !vocabProfiled(k));
        return ks;
    }

    /** The vocab TP degrees Galvatron's rules allow for {@code p} stages (powers of two from min tp), profiled or not. */
    private List<Integer> vocabDegrees(int p, int minTp, int maxTp) {
        List<Integer> ks = new ArrayList<>();
        if (options.disableVtp()) {
            ks.add(1);
        } else {
            for (int k = minTp; k * p <= options.worldSize() && k <= maxTp; k *= 2) ks.add(k);
        }
        return ks;
    }

    /** Whether the rules make {@code k} a vocab TP candidate for {@code p} stages, profiled or not. */
    public boolean isVocabCandidate(int k, int p, int minTp, int maxTp) {
        return vocabDegrees(p, minTp, maxTp).contains(k);
    }

    /**
     * Whether the memory profile has the embedding/head model states at vocab TP {@code k}. Galvatron looks them up
     * unconditionally and stops with a KeyError when a profile lacks them (Q3); here such a degree is not a candidate.
     */
    private boolean vocabProfiled(int k) {
        return profiles.otherPpOff().modelStatesMb().containsKey(k) && profiles.otherFirstStage().modelStatesMb().containsKey(k)
                && profiles.otherLastStage().modelStatesMb().containsKey(k);
    }

    /**
     * Per-stage MB of the non-layer modules plus the 1024 MB context, for every vocab TP candidate, computed from
     * {@code first} (the first strategy of the pipeline degree, as Galvatron does).
     */
    public Map<Integer, double[]> otherMemory(LayerStrategy first, int globalBatch, int mbsz, int minTp, int maxTp,
                                              boolean vsp, boolean embedSdp) {
        return otherMemory(first, globalBatch, mbsz, minTp, maxTp, vsp, embedSdp, options.pipelineType());
    }

    public Map<Integer, double[]> otherMemory(LayerStrategy first, int globalBatch, int mbsz, int minTp, int maxTp,
                                       boolean vsp, boolean embedSdp, PipelineType pipelineType) {
        int p = first.pp();
        int t = first.tp();
        int d = first.dp();
        int c = memoryChunks(first, globalBatch, mbsz, minTp);
        Map<Integer, double[]> out = new LinkedHashMap<>();
        OtherMemoryProfile off = profiles.otherPpOff();
        OtherMemoryProfile fst = profiles.otherFirstStage();
        OtherMemoryProfile lst = profiles.otherLastStage();
        for (int k : vocabCandidates(p, minTp, maxTp)) {
            double[] o = new double[p];
            double ob = (double) globalBatch * k / t / d / c;
            int mtp;
            double ratio;
            if (vsp) {
                mtp = 1;
                ratio = embedSdp ? zero3Ratio(t * d, c) : (options.useZero2() ? zero2Ratio(t * d, c) : 1.0);
            } else {
                mtp = k;
                ratio = embedSdp ? zero3Ratio(t * d / k, c) : (options.useZero2() ? zero2Ratio(t * d / k, c) : 1.0);
            }
            if (p == 1) {
                o[0] += need(off.modelStatesMb(), mtp, "other_memory_pp_off.model_states") * ratio
                        + need(off.activationMb(), k, "other_memory_pp_off.activation") * ob;
            } else {
                double bf = pipelineType == PipelineType.PIPEDREAM_FLUSH ? ob * p : ob;
                o[0] += need(fst.modelStatesMb(), mtp, "other_memory_pp_on_first.model_states") * ratio
                        + need(fst.activationMb(), k, "other_memory_pp_on_first.activation") * bf;
                o[p - 1] += need(lst.modelStatesMb(), mtp, "other_memory_pp_on_last.model_states") * ratio
                        + need(lst.activationMb(), k, "other_memory_pp_on_last.activation") * ob;
            }
            for (int i = 0; i < p; i++) o[i] += CONTEXT_MB;
            out.put(k, o);
        }
        return out;
    }

    private static double need(Map<Integer, Double> m, int k, String what) {
        Double v = m.get(k);
        if (v == null) throw new IllegalArgumentException("the memory profile's " + what + " has no entry for vocab TP " + k
                + " (it has " + m.keySet() + ")");
        return v;
    }

    // ---------------------------------------------------------------- SP buffer (§4.7)

    /** The buffer under Galvatron's numbering of {@code sp_search} (1, 2, 3): what its unit tests call. */
    public double globalBufferMb(int mbsz, int minTp, int maxTp, int spSearchCode) {
        return globalBufferMb(mbsz, minTp, maxTp, SpSearch.ofCode(spSearchCode));
    }

    /** Megatron-SP global all-gather buffer in MB (fine-grained mode); none when the layers use Ulysses only. */
    public double globalBufferMb(int mbsz, int minTp, int maxTp, SpSearch spSearch) {
        if (options.sequenceParallel() && options.globalMemoryBuffer() && spSearch != SpSearch.ULYSSES_ONLY) {
            return globalBufferFormula(mbsz, minTp, maxTp);
        }
        return 0;
    }

    /** Coarse mode checks only {@code sequence_parallel}. */
    public double globalBufferCoarseMb(int mbsz, int minTp, int maxTp) {
        return options.sequenceParallel() ? globalBufferFormula(mbsz, minTp, maxTp) : 0;
    }

    private double globalBufferFormula(int mbsz, int minTp, int maxTp) {
        double g = (double) mbsz / minTp * maxTp * profiles.model().hiddenSize() * profiles.model().maxSeqLength() * 4 / MB;
        return g / 2; // Galvatron tests the precision string, always true (quirk Q5)
    }

    // ---------------------------------------------------------------- layer time (§5.1)

    public LayerTime layerTime(LayerStrategy s, int type, double microBatch) {
        LayerType lt = profiles.model().layerTypes().get(type);
        return layerTime(s, lt, profiles.forwardTimes().get(type), profiles.layerMemory().get(type).parameterSizeMb(), microBatch);
    }

    public LayerTime layerTime(LayerStrategy s, LayerType lt, ForwardTime fwd, double parameterSize, double gbs) {
        int n = lt.layerCount();
        int p = s.pp();
        int t = s.tp();
        int d = s.dp();
        boolean sp = s.isUlysses();
        boolean mp = options.mixed();
        double oc = hw.overlapCoe();
        double b = gbs / d;
        double param = sp ? parameterSize : parameterSize / t;
        int sdp = sp ? t * d : d;
        double fct;
        if (fwd.batchFit()) {
            fct = (fwd.slopeMs() * (b / t) + fwd.interceptMs()) * n;
        } else {
            fct = fwd.perSampleMs() * b / t * n;
        }
        double bct = fct * 2;
        if (s.checkpoint()) bct += fct;
        double dpm = 2.0 * (d - 1) / d * param * n;
        if (mp) dpm /= 2;
        double agm = 0.5 * dpm;
        double dc;
        if (sp) {
            dc = hw.lookup(sdp);
        } else if (t == 1 || d == 1) {
            dc = hw.lookup(d);
        } else {
            dc = s.hasConsecutiveTpFlag() ? hw.coe(d, 0) : hw.coe(d, 1);
        }
        double dco = dc * oc;
        double tpt;
        int seq = lt.seqLength();
        int hidden = lt.hiddenSize();
        if (options.spSpace().usesCollectiveTables()) {
            double num = 4 * n * (s.checkpoint() ? 1.5 : 1);
            double per;
            if (t == 1) {
                per = 0;
            } else {
                double x = b * seq * hidden * (mp ? 2 : 4);
                CollectiveTimeTable tab = sp ? hw.spAll2all(t) : hw.spAllreduce(t);
                per = tab.msFor(x);
            }
            tpt = num * per;
        } else {
            double tpm = 2.0 * (t - 1) / t * (b * seq * hidden * 4 * 4 / MB) * n;
            if (s.checkpoint()) tpm *= 1.5;
            if (mp) tpm /= 2;
            double tc;
            if (t == 1 || d == 1) {
                tc = hw.lookup(t);
            } else {
                tc = s.hasConsecutiveTpFlag() ? hw.coe(t, 1) : hw.coe(t, 0);
            }
            tpt = tpm * tc;
        }
        double p2p = 0;
        if (p > 1) {
            p2p = p * 2 * b * seq * hidden * 4 / MB;
            if (mp) p2p /= 2;
            p2p *= hw.p2p(p);
        }
        double with = combine(t, d, fct, bct, tpt, dpm, dc, dco, oc, s.isZero3(), agm, p > 1, p2p);
        double without = combine(t, d, fct, bct, tpt, 0, dc, dco, oc, s.isZero3(), agm, p > 1, p2p);
        double coe = options.costmodelCoe();
        return new LayerTime(fct / n, bct / n, tpt / n, p2p / n, with * 0.001 * coe / n, without * 0.001 * coe / n);
    }

    private static double combine(int t, int d, double fct, double bct, double tpt, double dpm, double dc, double dco,
                                  double oc, boolean fsdp, double agm, boolean pipelined, double p2p) {
        double r;
        if (t == 1 && d > 1) {
            GradientOverlap.Split o = GradientOverlap.of(dpm, bct, dc, dco, oc);
            r = fct + o.overlappedMs() + o.restMs();
        } else if (d == 1 && t > 1) {
            r = fct + bct + tpt;
        } else if (d == 1) {
            r = fct + bct;
        } else if (t < t * d / 2) {
            GradientOverlap.Split o = GradientOverlap.of(dpm, bct, dc, dco, oc);
            r = fct + o.overlappedMs() + o.restMs() + tpt;
        } else {
            GradientOverlap.Split o = GradientOverlap.of(dpm, bct / 2, dc, dco, oc);
            r = fct + bct / 2 + o.overlappedMs() + o.restMs() + tpt;
        }
        if (fsdp) r += agm * dc * 1;
        if (pipelined) r += p2p;
        return r;
    }

    // ---------------------------------------------------------------- other time (§5.2)

    public OtherTime otherTime(int mbsz, int p, boolean vsp, boolean embedSdp, int minTp, int maxTp) {
        int n = options.worldSize();
        boolean mp = options.mixed();
        double oc = hw.overlapCoe();
        LayerType type0 = profiles.model().layerTypes().get(0);
        int hidden = type0.hiddenSize();
        List<Integer> seqs = profiles.model().layerTypes().stream().map(LayerType::seqLength).toList();
        ForwardTime other = profiles.otherForwardTime();
        Map<Integer, double[]> with = new TreeMap<>();
        Map<Integer, double[]> without = new TreeMap<>();
        for (int k = minTp; k <= maxTp && n / p >= k; k *= 2) {
            if (!vocabProfiled(k)) continue; // the same candidates as the memory side
            double[] perSeq = new double[seqs.size()];
            for (int i = 0; i < seqs.size(); i++) {
                int seq = seqs.get(i);
                if (vsp) {
                    perSeq[i] = 0;
                } else if (options.spSpace().usesCollectiveTables()) {
                    double x = (double) mbsz * seq * hidden * (mp ? 2 : 4);
                    perSeq[i] = k == 1 ? 0 : hw.spAllreduce(k).fitMsFor(x);
                } else {
                    int dps = n / p / k;
                    double cf = (k == 1 || dps == 1) ? hw.lookup(k) : hw.coe(k, 0);
                    perSeq[i] = (k - 1.0) / k * ((double) mbsz * seq * hidden / MB) * (mp ? 2 : 4) * cf;
                }
            }
            double fct = other.batchFit() ? other.slopeMs() * ((double) mbsz / minTp) + other.interceptMs()
                    : (double) mbsz / minTp * other.perSampleMs();
            int g;
            double cf;
            if (!vsp) {
                g = n / p / k;
                cf = (k == 1 || g == 1) ? hw.lookup(g) : hw.coe(g, 0);
            } else {
                g = n / p;
                cf = hw.lookup(g);
            }
            double dpCoe = cf * (g - 1) / g;
            double ff = embedSdp ? 0.5 : 0.0;
            double bf = embedSdp ? 1.0 : 0.5;
            double[] w = new double[p];
            double[] nc = new double[p];
            if (p == 1) {
                double tpTime = 0;
                for (double x : perSeq) tpTime += x;
                tpTime += perSeq[perSeq.length - 1];
                double dsz = need(profiles.otherPpOff().modelStatesMb(), vsp ? 1 : k, "other_memory_pp_off.model_states") / 4;
                w[0] = 0.001 * ovl(dsz * dpCoe * ff, fct, dsz * dpCoe * bf, 2 * fct, tpTime, oc);
                nc[0] = 0.001 * ovl(dsz * dpCoe * ff, fct, dsz * dpCoe * (bf - 0.5), 2 * fct, tpTime, oc);
            } else {
                // First-stage states stand for both ends with vsp 0, last-stage states with vsp 1 (quirk Q18b).
                double dsz = vsp ? need(profiles.otherLastStage().modelStatesMb(), 1, "other_memory_pp_on_last.model_states") / 4
                        : need(profiles.otherFirstStage().modelStatesMb(), k, "other_memory_pp_on_first.model_states") / 4;
                double half = fct / 2;
                double[] tpEnds = {perSeq[0], perSeq[perSeq.length - 1]};
                int[] stages = {0, p - 1};
                for (int e = 0; e < 2; e++) {
                    w[stages[e]] = 0.001 * ovl(dsz * dpCoe * ff, half, dsz * dpCoe * bf, 2 * half, tpEnds[e], oc);
                    nc[stages[e]] = 0.001 * ovl(dsz * dpCoe * ff, half, dsz * dpCoe * (bf - 0.5), 2 * half, tpEnds[e], oc);
                }
            }
            with.put(k, w);
            without.put(k, nc);
        }
        return new OtherTime(with, without);
    }

    private static double ovl(double fcm, double fcp, double bcm, double bcp, double tpt, double oc) {
        fcp *= oc;
        bcp *= oc;
        double f = fcp > fcm ? fcm + (fcp - fcm) / oc : fcm;
        double b = bcp > bcm ? bcm + (bcp - bcm) / oc : bcm;
        return f + b + tpt;
    }

    // ---------------------------------------------------------------- transition cost (§5.3)

    /** {@code X[i][j]}: seconds to go from strategy i (previous layer) to j, for a layer of the given type. */
    public double[][] transitionCost(List<LayerStrategy> strategies, int type, int mbsz, int minTp) {
        int ns = strategies.size();
        int seq = profiles.model().layerTypes().get(type).seqLength();
        double sample = (double) seq * profiles.model().hiddenSize() * (options.mixed() ? 2 : 4);
        double[][] x = new double[ns][ns];
        for (int i = 0; i < ns; i++) {
            LayerStrategy a = strategies.get(i);
            for (int j = 0; j < ns; j++) {
                LayerStrategy b = strategies.get(j);
                boolean bothTp = a.tpConsecutive() >= 0 && b.tpConsecutive() >= 0;
                boolean case1 = b.tp() > a.tp();
                boolean case2 = bothTp && b.tp() == a.tp() && b.tpConsecutive() != a.tpConsecutive();
                boolean case3 = bothTp && a.tp() * a.dp() == 8 && a.tp() == 4 && b.tp() == 2 && b.tpConsecutive() != a.tpConsecutive();
                boolean case4 = options.sequenceParallel() && b.tp() != a.tp();
                int q = Math.max(a.tp(), b.tp());
                double v = (case1 || case2 || case3 || case4) ? (q - 1.0) / q * mbsz * (q / minTp) * sample : 0;
                int tq = q;
                int dq = Math.min(a.dp(), b.dp());
                LayerStrategy sel = b.tp() > a.tp() ? b : a;
                double cf = (tq == 1 || dq == 1) ? hw.lookup(tq) : (sel.hasConsecutiveTpFlag() ? hw.coe(tq, 1) : hw.coe(tq, 0));
                v *= cf * 1e-7; // 100x the physical seconds (quirk Q2)
                if (i != j) {
                    if (match(a, b, false, false, true) && b.isUlysses()) v = 1e-10;
                    if (match(a, b, true, false, false) && b.isZero3()) v = 1e-9;
                    if (match(a, b, false, true, false) && b.checkpoint()) v = 2e-9;
                    if (match(a, b, true, true, false) && b.isZero3() && b.checkpoint()) v = 3e-9;
                    if (match(a, b, true, true, false) && !match(a, b, true, false, false) && !match(a, b, false, true, false)
                            && a.isZero3() && b.checkpoint()) v = 1e-9;
                }
                x[i][j] = v;
            }
        }
        return x;
    }

    /** Galvatron's {@code match}: same degrees and the same info keys (presence and value) except the excepted ones. */
    static boolean match(LayerStrategy a, LayerStrategy b, boolean exceptFsdp, boolean exceptCpt, boolean exceptSp) {
        if (a.pp() != b.pp() || a.tp() != b.tp() || a.dp() != b.dp()) return false;
        if (a.tpConsecutive() != b.tpConsecutive()) return false;
        if (!exceptFsdp && a.fsdp() != b.fsdp()) return false;
        if (!exceptSp && a.ulysses() != b.ulysses()) return false;
        return exceptCpt || a.checkpoint() == b.checkpoint();
    }

    // ---------------------------------------------------------------- pipeline cost (§5.5)

    /**
     * Galvatron's pipeline cost model.
     *
     * @param layers    per-layer strategies, all stages concatenated
     * @param division  layers per stage
     * @param chunks    per layer type, {@code ceil(L_p / m_p)} as a double
     * @param otherNoCommS per-stage vocab time without comm ({@code OtherTime.noCommS().get(vtp)})
     */
    public PipelineTerms pipelineCost(List<LayerStrategy> layers, List<Integer> division, double[] chunks, int globalBatch,
                                      int minTp, double[] otherNoCommS) {
        LayerStrategy l0 = layers.get(0);
        int loc = (int) ((double) globalBatch / (l0.tp() * l0.dp() / minTp));
        int types = chunks.length;
        int[] realc = new int[types];
        double[] gb = new double[types];
        int cm = 0;
        for (int i = 0; i < types; i++) {
            realc[i] = chunks[i] == 1 ? 1 : chunkSizes(loc, (int) chunks[i]).length;
            gb[i] = (double) globalBatch / realc[i];
            cm = Math.max(cm, realc[i]);
        }
        int p = division.size();
        double[] f = new double[p];
        double[] k = new double[p];
        int layer = 0;
        for (int st = 0; st < p; st++) {
            for (int j = 0; j < division.get(st); j++, layer++) {
                int type = profiles.model().typeOfLayer(layer);
                LayerTime lt = layerTime(layers.get(layer), type, gb[type]);
                f[st] += lt.totalS();
                k[st] += lt.noCommS();
            }
            k[st] += otherNoCommS[st];
        }
        return new PipelineTerms(f, k, cm, pipelineFormula(f, k, cm));
    }

    /** The pipeline formula itself: bubble-aware iteration time plus the exposed gradient-reduce tail. */
    public static double pipelineFormula(double[] f, double[] k, int cm) {
        int p = k.length;
        double sumK = 0;
        for (double x : k) sumK += x;
        double base1 = sumK + k[p - 1] * (cm - 1);
        double restThird = 0;
        double restTwoThirds = 0;
        for (int i = 1; i < p; i++) {
            restThird += k[i] / 3;
            restTwoThirds += k[i] * 2 / 3;
        }
        int warm = Math.min(p - 1, cm - 1);
        double base2 = Math.max(warm * k[0] / 3, restThird) + Math.max(warm * k[0] * 2 / 3, restTwoThirds)
                + k[0] * Math.max(0, cm + 1 - p);
        double tp = Math.max(base1, base2);
        double r = 0;
        double acc = 0;
        for (int i = 0; i < p; i++) {
            acc += k[i];
            r = Math.max(r, f[i] - acc);
        }
        return tp + Math.max(0, r);
    }
}
