package studio.engine.search;

import org.junit.jupiter.api.Test;
import studio.engine.conformance.SampleConfigs;
import studio.engine.model.ModelCatalog;
import studio.engine.model.ModelDescription;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio shares a stage knapsack between stages whose layer types read the same from their first layer (Swin's
 * four stages of blocks, T5's encoder and decoder): a knapsack answers every shallower depth exactly, so two stages may
 * share one only if the shorter one's types are a prefix of the longer one's, and the knapsack is deepened only within
 * the last run of its type.
 */
class TypeRunSharingTest {
    private static final ModelCatalog CATALOG = new ModelCatalog(SampleConfigs.root());

    @Test
    void stagesShareAKnapsackOnlyWhenTheirLayerTypesAreAPrefixOfOneAnother() {
        for (String name : List.of("swin-huge", "t5-3B", "llama-7b")) {
            ModelDescription model = CATALOG.resolve(name);
            int layers = model.totalLayers();
            Map<String, List<Integer>> longestByKey = new HashMap<>();
            int shared = 0;
            for (int start = 0; start < layers; start++) {
                for (int n = 1; start + n <= layers; n++) {
                    List<Integer> types = types(model, start, start + n);
                    String key = DegreeSearch.typeRunsKey(model, start, n);
                    List<Integer> before = longestByKey.get(key);
                    if (before != null) {
                        shared++;
                        List<Integer> shorter = before.size() <= types.size() ? before : types;
                        List<Integer> longer = before.size() <= types.size() ? types : before;
                        assertEquals(shorter, longer.subList(0, shorter.size()), name + " start " + start + " n " + n + " key " + key);
                    }
                    if (before == null || types.size() > before.size()) longestByKey.put(key, types);
                    // deepening to the end of the last run adds layers of that run's type only
                    int end = DegreeSearch.runEnd(model, start + n - 1);
                    List<Integer> deeper = types(model, start, end);
                    assertEquals(key, DegreeSearch.typeRunsKey(model, start, deeper.size()), name + " deepened from " + start + " n " + n);
                }
            }
            assertTrue(shared > 0, name + ": stages share knapsacks");
        }
    }

    private static List<Integer> types(ModelDescription model, int from, int to) {
        List<Integer> t = new ArrayList<>();
        for (int l = from; l < to; l++) t.add(model.typeOfLayer(l));
        return t;
    }
}
