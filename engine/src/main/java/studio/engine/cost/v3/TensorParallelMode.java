package studio.engine.cost.v3;

import java.util.Locale;

/** Galvatron 3.0's {@code tp_sp_mode} of a search task (v3 spec §6.2). */
public enum TensorParallelMode {
    /** Megatron-TP (with Megatron-SP) or no TP. */
    TP_ONLY,
    /** Ulysses sequence parallelism or no TP. */
    SP_ONLY,
    /** Either, layer by layer. */
    TP_WITH_SP;

    public String configName() { return name().toLowerCase(Locale.ROOT); }
}
