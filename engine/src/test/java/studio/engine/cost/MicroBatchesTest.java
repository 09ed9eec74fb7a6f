package studio.engine.cost;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The piece counts and sums against the pieces torch.arange(n).chunk(c) cuts, built one by one. */
class MicroBatchesTest {
    private static List<Integer> torchChunks(int n, int c) {
        List<Integer> out = new ArrayList<>();
        if (n <= 0) return out;
        int size = (n + c - 1) / c;
        for (int start = 0; start < n; start += size) out.add(Math.min(size, n - start));
        return out;
    }

    @Test
    void countsAndSumsAreThoseOfTheBuiltPieces() {
        for (int n = 0; n <= 130; n++) {
            for (int c = 1; c <= 70; c++) {
                List<Integer> pieces = torchChunks(n, c);
                assertEquals(pieces.size(), MicroBatches.pieces(n, c), n + "/" + c);
                assertEquals(pieces.isEmpty() ? 0 : pieces.get(0), MicroBatches.firstPiece(n, c), n + "/" + c);
                long sum = 0;
                for (int k = 0; k <= pieces.size() + 1; k++) {
                    assertEquals(sum, MicroBatches.leadingSamples(n, c, k), n + "/" + c + " first " + k);
                    if (k < pieces.size()) sum += pieces.get(k);
                }
            }
        }
        // 5 samples in 4 chunks are 2, 2, 1: three micro-batches
        assertEquals(3, MicroBatches.pieces(5, 4));
    }
}
