package studio.engine.search.v3;

import java.util.ArrayList;
import java.util.List;

/** Galvatron 3.0's {@code batch_size_info} (v3 spec §6.1). {@code settleChunk} -1 searches every divisor. */
public record BatchRange(int minBsz, int maxBsz, int bszScale, int settleBsz, int settleChunk) {
    /** The searched global batch sizes: {@code settle_bsz}, or {@code range(max(min, scale), max + 1, scale)} (not aligned). */
    public List<Integer> batchSizes() {
        List<Integer> out = new ArrayList<>();
        if (settleBsz > 0) {
            out.add(settleBsz);
            return out;
        }
        for (int b = Math.max(minBsz, bszScale); b <= maxBsz; b += bszScale) out.add(b);
        return out;
    }
}
