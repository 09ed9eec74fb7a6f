package studio.engine.launch;

import studio.engine.plan.GlobalFlags;

/**
 * A plan as Galvatron v2's GLOBAL-mode flags of {@code train_dist.py}, as given (null: the flag is not passed, Galvatron's
 * default holds). The runner checks the ranges before a launch; {@link #of(GlobalFlags)} gives a checked plan's.
 */
public record GlobalModeArgs(Integer ppDeg, Integer globalTpDeg, Integer globalTpConsec, Integer sdp, Integer chunks, Integer globalCheckpoint,
                             Integer vocabTp, Integer embedSdp, String pipelineType, String defaultDpType) {
    public static final GlobalModeArgs NONE = new GlobalModeArgs(null, null, null, null, null, null, null, null, null, null);

    /** A uniform plan's flags (consecutive TP groups: what GLOBAL mode uses whatever is given). */
    public static GlobalModeArgs of(GlobalFlags g) {
        return new GlobalModeArgs(g.ppDeg(), g.globalTpDeg(), 1, g.sdp() ? 1 : 0, g.chunks(), g.globalCheckpoint() ? 1 : 0, g.vocabTp(),
                g.embedSdp() ? 1 : 0, g.pipelineType().configName(), g.defaultDpType().configName());
    }

    /** Whether any flag is given (the plan is then not a JSON config's). */
    public boolean any() {
        return ppDeg != null || globalTpDeg != null || globalTpConsec != null || sdp != null || chunks != null || globalCheckpoint != null
                || vocabTp != null || embedSdp != null || pipelineType != null || defaultDpType != null;
    }
}
