package studio.engine.cost.v3;

/** One layer's time per micro-batch, seconds: with its gradient synchronisation and without (v3 spec §5.1). */
public record LayerTime(double withSyncS, double withoutSyncS) {
}
