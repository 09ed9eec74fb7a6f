package studio.engine.search.v3;

import studio.engine.cost.v3.TensorParallelMode;

/** One sub-search of Galvatron 3.0's task grid (v3 spec §6.2): batch, chunks, pipeline degree, TP/SP mode, buffer TP g. */
public record SearchTask(int batch, int chunks, int pp, TensorParallelMode mode, int bufferTp) {
    @Override
    public String toString() {
        return "gbsz " + batch + ", chunks " + chunks + ", pp " + pp + ", " + mode.configName() + ", global_buffer_tp " + bufferTp;
    }
}
