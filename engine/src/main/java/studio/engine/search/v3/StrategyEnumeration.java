package studio.engine.search.v3;

import studio.engine.plan.DpType;
import studio.engine.plan.v3.HybridStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Galvatron 3.0's strategy lists (v3 spec §3.2 - §3.3): every (pp, Megatron-TP or Ulysses degree, cp, dp type,
 * checkpoint) over powers of two, de-duplicated and sorted, then filtered; the vocabulary list is the layer list
 * without checkpointing. For an MoE model (the studio's mode) each layer strategy is then placed over every expert
 * layout of {@link ExpertSpace} (the experts shard with the layer's data-parallel type over their own group).
 */
public record StrategyEnumeration(List<HybridStrategy> layers, List<HybridStrategy> vocabulary) {
    public StrategyEnumeration {
        layers = List.copyOf(layers);
        vocabulary = List.copyOf(vocabulary);
    }

    public static StrategyEnumeration of(int worldSize, int layerCount, DpType defaultDpType, SpaceLimits limits) {
        return of(worldSize, layerCount, defaultDpType, limits, null);
    }

    public static StrategyEnumeration of(int worldSize, int layerCount, DpType defaultDpType, SpaceLimits limits, ExpertSpace experts) {
        List<Integer> degrees = new ArrayList<>();
        for (int d = 1; d <= worldSize; d *= 2) degrees.add(d);
        TreeSet<HybridStrategy> generated = new TreeSet<>();
        for (int pp : degrees) {
            if (pp > layerCount || pp > limits.maxPp()) continue;
            for (boolean ulysses : new boolean[] {false, true}) {
                for (int x : degrees) {
                    if (!ulysses && x > limits.maxTp()) continue;
                    if (ulysses && x > limits.maxSp()) continue;
                    if (x * pp > worldSize) continue;
                    for (int cp : degrees) {
                        if (cp > limits.maxCp() || pp * x * cp > worldSize) continue;
                        int dp = worldSize / pp / x / cp;
                        List<DpType> types = dp == 1 ? List.of(DpType.DDP)
                                : defaultDpType == DpType.DDP ? List.of(DpType.DDP, DpType.ZERO3) : List.of(DpType.ZERO2, DpType.ZERO3);
                        for (DpType t : types) {
                            for (boolean ck : new boolean[] {false, true}) {
                                generated.add(new HybridStrategy(pp, ulysses ? 1 : x, ulysses ? x : 1, cp, dp, t, ck));
                            }
                        }
                    }
                }
            }
        }
        TreeSet<HybridStrategy> vocabulary = new TreeSet<>();
        for (HybridStrategy s : generated) vocabulary.add(s.toVocabulary());
        Predicate<HybridStrategy> keep = s -> !(limits.disablePp() && s.pp() != 1)
                && !(limits.disableTp() && s.tp() != 1)
                && !(limits.disableSp() && s.sp() != 1)
                && !(limits.disableCp() && s.cp() != 1)
                && !(limits.disableDp() && s.dp() != 1)
                && !(limits.disableFsdp() && s.zero3());
        List<HybridStrategy> layerList = generated.stream().filter(keep)
                .filter(s -> !(limits.disableCheckpoint() && s.checkpoint())).toList();
        if (experts != null) layerList = placeExperts(layerList, experts);
        List<HybridStrategy> vocabularyList = vocabulary.stream().filter(keep)
                .filter(s -> !(limits.disableVocabularyTp() && s.tp() != 1))
                .filter(s -> !(limits.disableVocabularySp() && s.sp() != 1)).toList();
        return new StrategyEnumeration(layerList, vocabularyList);
    }

    private static List<HybridStrategy> placeExperts(List<HybridStrategy> dense, ExpertSpace experts) {
        TreeSet<HybridStrategy> out = new TreeSet<>();
        for (HybridStrategy s : dense) {
            for (var layout : experts.layouts(s.stageGpus())) out.add(s.withExpertsOf(layout));
        }
        return List.copyOf(out);
    }
}
