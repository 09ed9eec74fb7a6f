package studio.app.project;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import studio.engine.cost.PlanEstimate;
import studio.engine.plan.LayerStrategy;
import studio.engine.plan.ParallelPlan;
import studio.engine.plan.PlanValidator;
import studio.engine.plan.RuleViolation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The one owner of the plan being edited: every change goes through it, is evaluated at once (the cost model takes
 * microseconds), and lands in one global undo history. Lives on the FX thread.
 */
public final class PlanEditor {
    private final ReadOnlyObjectWrapper<EditorState> state = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<PlanEstimate> estimate = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ObservableList<EditorState> undo = FXCollections.observableArrayList();
    private final ObservableList<EditorState> redo = FXCollections.observableArrayList();
    private final BooleanBinding canUndo = Bindings.isNotEmpty(undo);
    private final BooleanBinding canRedo = Bindings.isNotEmpty(redo);
    private long lastEvaluationNanos;

    public ReadOnlyObjectProperty<EditorState> stateProperty() { return state.getReadOnlyProperty(); }

    public ReadOnlyObjectProperty<PlanEstimate> estimateProperty() { return estimate.getReadOnlyProperty(); }

    /** What the last change did, or why it was refused. */
    public ReadOnlyStringProperty messageProperty() { return message.getReadOnlyProperty(); }

    public BooleanBinding canUndoProperty() { return canUndo; }

    public BooleanBinding canRedoProperty() { return canRedo; }

    public EditorState state() { return state.get(); }

    public PlanEstimate estimate() { return estimate.get(); }

    public ParallelPlan plan() { return state.get() == null ? null : state.get().plan(); }

    /** One line naming the open plan, for the scripts and manifests it is launched with. */
    public String planSummary() {
        var s = state.get().context().settings();
        return state.get().context().model().name() + " on " + s.nodes() + " x " + s.gpusPerNode() + " GPUs, pp " + plan().pp() + ", global batch "
                + plan().globalBatch();
    }

    public long lastEvaluationNanos() { return lastEvaluationNanos; }

    /** Opens a plan: a new document, the history starts afresh. */
    public void open(PlanningContext ctx, ParallelPlan plan, String description) {
        EditorState s = new EditorState(ctx, plan, description);
        PlanEstimate e = evaluate(s);
        undo.clear();
        redo.clear();
        state.set(s);
        estimate.set(e);
        message.set(description);
    }

    /** Applies a change; a plan the engine cannot cost is refused with the reason, nothing else changes. */
    public boolean apply(EditorState next) {
        if (state.get() == null) return false;
        PlanEstimate e;
        try {
            e = evaluate(next);
        } catch (IllegalArgumentException ex) {
            message.set("Not applied: " + ex.getMessage());
            return false;
        }
        undo.add(state.get());
        redo.clear();
        state.set(next);
        estimate.set(e);
        message.set(next.description());
        return true;
    }

    public void undo() {
        if (undo.isEmpty()) return;
        EditorState prev = undo.remove(undo.size() - 1);
        redo.add(state.get());
        state.set(prev);
        estimate.set(evaluate(prev));
        message.set("Undid: " + redo.get(redo.size() - 1).description());
    }

    public void redo() {
        if (redo.isEmpty()) return;
        EditorState next = redo.remove(redo.size() - 1);
        undo.add(state.get());
        state.set(next);
        estimate.set(evaluate(next));
        message.set("Redid: " + next.description());
    }

    private PlanEstimate evaluate(EditorState s) {
        long t0 = System.nanoTime();
        PlanEstimate e = s.context().evaluator().evaluate(s.plan());
        lastEvaluationNanos = System.nanoTime() - t0;
        return e;
    }

    // ------------------------------------------------------------------------------------------ plan edits

    private boolean editLayers(Collection<Integer> layers, UnaryOperator<LayerStrategy> change, String what) {
        ParallelPlan p = plan();
        List<LayerStrategy> ls = new ArrayList<>(p.layers());
        for (int l : layers) ls.set(l, change.apply(ls.get(l)));
        return apply(new EditorState(state.get().context(), p.withLayers(ls), what + " on " + describe(layers)));
    }

    private static String describe(Collection<Integer> layers) {
        List<Integer> sorted = layers.stream().sorted().toList();
        if (sorted.size() == 1) return "layer " + sorted.get(0);
        return sorted.size() + " layers (" + sorted.get(0) + "-" + sorted.get(sorted.size() - 1) + ")";
    }

    private int stageGpus() { return state.get().context().stageGpus(plan().pp()); }

    /** The TP (or Ulysses) degrees legal on this plan's stages. */
    public List<Integer> legalTp() {
        List<Integer> out = new ArrayList<>();
        for (int t = 1; t <= stageGpus(); t *= 2) out.add(t);
        return out;
    }

    public boolean setTp(Collection<Integer> layers, int tp) {
        int s = stageGpus();
        if (tp < 1 || s % tp != 0) {
            message.set("Not applied: tp " + tp + " does not divide the " + s + " GPUs of a stage");
            return false;
        }
        return editLayers(layers, l -> l.onStage(l.pp(), tp, s), "tp " + tp);
    }

    /** One layer takes another strategy of the same pipeline degree (the explain view's "apply"). */
    public boolean setLayerStrategy(int layer, LayerStrategy s) {
        return setLayer(layer, s, plan().experts().get(layer));
    }

    /** One layer takes a strategy and an expert placement, in one edit (the explain view's "apply"). */
    public boolean setLayer(int layer, LayerStrategy s, studio.engine.plan.ExpertPlacement experts) {
        ParallelPlan p = plan();
        if (s.pp() != p.pp()) {
            message.set("Not applied: " + s.form() + " has pp " + s.pp() + ", the plan " + p.pp());
            return false;
        }
        if (experts.equals(p.experts().get(layer))) return editLayers(List.of(layer), l -> s, s.form());
        List<LayerStrategy> ls = new ArrayList<>(p.layers());
        ls.set(layer, s);
        List<studio.engine.plan.ExpertPlacement> es = new ArrayList<>(p.experts());
        es.set(layer, experts);
        return apply(new EditorState(state.get().context(), p.withLayers(ls).withExperts(es), s.form() + ", experts ep " + experts.ep()
                + " x expert TP " + experts.expertTp() + " on layer " + layer));
    }

    public boolean setZero3(Collection<Integer> layers, boolean on) {
        return editLayers(layers, l -> LayerStrategy.of(l.pp(), l.tp(), l.dp(), l.tpGroupsConsecutive(), on, l.isUlysses(), l.checkpoint()),
                on ? "ZeRO-3" : "default DP");
    }

    public boolean setCheckpoint(Collection<Integer> layers, boolean on) {
        return editLayers(layers, l -> l.withCheckpoint(on), on ? "checkpointing" : "no checkpointing");
    }

    public boolean setUlysses(Collection<Integer> layers, boolean on) {
        return editLayers(layers, l -> LayerStrategy.of(l.pp(), l.tp(), l.dp(), l.tpGroupsConsecutive(), l.isZero3(), on, l.checkpoint()),
                on ? "Ulysses SP" : "Megatron TP");
    }

    public boolean setTpConsecutive(Collection<Integer> layers, boolean on) {
        return editLayers(layers, l -> LayerStrategy.of(l.pp(), l.tp(), l.dp(), on, l.isZero3(), l.isUlysses(), l.checkpoint()),
                on ? "consecutive TP groups" : "strided TP groups");
    }

    /**
     * The context-parallel degree of layers (written as cp_sizes_enc). Galvatron 3.0's cost model does not divide
     * the layer by cp (quirk Q-v3-4), so the cost shows what Galvatron would predict; the layer keeps its TP degree.
     */
    public boolean setCp(Collection<Integer> layers, int cp) {
        ParallelPlan p = plan();
        int s = stageGpus();
        List<Integer> cps = new ArrayList<>(p.cpSizes());
        for (int l : layers) {
            int tp = p.layers().get(l).tp();
            if (cp < 1 || Integer.bitCount(cp) != 1 || s % (tp * cp) != 0) {
                message.set("Not applied: cp " + cp + " with tp " + tp + " does not divide the " + s + " GPUs of a stage");
                return false;
            }
            cps.set(l, cp);
        }
        return apply(new EditorState(state.get().context(), p.withCpSizes(cps), "cp " + cp + " on " + describe(layers)));
    }

    /** Whether the model has routed experts to place (an MoE model, read in the studio's mode). */
    public boolean hasExperts() {
        return state.get() != null && state.get().context().experts() != null;
    }

    /** Expert-parallel degrees an MoE layer may take: powers of two dividing the experts and the stage. */
    public List<Integer> legalEp() {
        var space = state.get() == null ? null : state.get().context().experts();
        if (space == null) return List.of(1);
        return space.layouts(stageGpus()).stream().map(studio.engine.plan.ExpertPlacement::ep).distinct().toList();
    }

    /**
     * Where an MoE layer's experts live: {@code ep} expert-parallel ranks, each expert over {@code expertTp} (null:
     * keep the layer's). Refused on a dense model, or where the runtime could not build the groups.
     */
    public boolean setExperts(Collection<Integer> layers, Integer ep, Integer expertTp) {
        ParallelPlan p = plan();
        var space = state.get().context().experts();
        if (space == null) {
            message.set("Not applied: the model has no experts to place");
            return false;
        }
        List<studio.engine.plan.ExpertPlacement> placements = new ArrayList<>(p.experts());
        for (int l : layers) {
            var old = placements.get(l);
            int e = ep != null ? ep : old.ep();
            int t = expertTp != null ? expertTp : old.expertTp();
            if (!space.allows(e, t, stageGpus())) {
                message.set("Not applied: ep " + e + " x expert TP " + t + " must be powers of two dividing the " + space.experts() + " experts, the expert width "
                        + space.expertFfn() + " and the " + stageGpus() + " GPUs of a stage (up to ep " + space.maxEp() + ", expert TP " + space.maxExpertTp() + ")");
                return false;
            }
            placements.set(l, new studio.engine.plan.ExpertPlacement(e, t));
        }
        return apply(new EditorState(state.get().context(), p.withExperts(placements), "experts ep " + (ep != null ? ep : "=") + ", expert TP "
                + (expertTp != null ? expertTp : "=") + " on " + describe(layers)));
    }

    public boolean setVocab(int vtp, boolean vsp, boolean embedSdp) {
        ParallelPlan p = plan();
        return apply(new EditorState(state.get().context(), p.withVocabulary(vtp, vsp, embedSdp), "vocabulary: vtp " + vtp + (vsp ? " (Ulysses)" : "")
                + (embedSdp ? ", ZeRO-3" : "")));
    }

    /** Moves the split after stage {@code boundary} so that {@code layersBefore} layers precede it. */
    public boolean moveSplit(int boundary, int layersBefore) {
        ParallelPlan p = plan();
        List<Integer> d = new ArrayList<>(p.pipelineDivision());
        int before = 0;
        for (int i = 0; i < boundary; i++) before += d.get(i);
        int left = layersBefore - before;
        int pair = d.get(boundary) + d.get(boundary + 1);
        if (left < 1 || left > pair - 1) return false;
        if (left == d.get(boundary)) return false;
        d.set(boundary, left);
        d.set(boundary + 1, pair - left);
        return apply(new EditorState(state.get().context(), p.withPipelineDivision(d), "pipeline division " + d));
    }

    /** Changes the number of stages: layers keep their TP degree where the new stage size allows it. */
    public boolean setPp(int pp) {
        ParallelPlan p = plan();
        int world = state.get().context().settings().worldSize();
        if (pp < 1 || world % pp != 0 || pp > p.layerCount()) {
            message.set("Not applied: pp " + pp + " must divide the " + world + " GPUs and not exceed the " + p.layerCount() + " layers");
            return false;
        }
        int s = world / pp;
        List<LayerStrategy> ls = new ArrayList<>();
        for (LayerStrategy l : p.layers()) {
            ls.add(l.onStage(pp, Math.min(l.tp(), s), s));
        }
        int vtp = Math.min(p.vocabTp(), s);
        // experts keep their placement where the new stage still holds ep x expert TP GPUs
        List<studio.engine.plan.ExpertPlacement> experts = p.experts().stream()
                .map(e -> s % (e.ep() * e.expertTp()) == 0 ? e : studio.engine.plan.ExpertPlacement.NONE).toList();
        return apply(new EditorState(state.get().context(), new ParallelPlan(ls, ParallelPlan.evenDivision(p.layerCount(), pp),
                p.globalBatch(), p.chunks(), vtp, p.vocabUlysses(), p.embedSdp(), p.pipelineType(), p.defaultDpType(), p.cpSizes(), experts),
                "pp " + pp));
    }

    public boolean setBatch(int globalBatch, int chunks) {
        ParallelPlan p = plan();
        if (globalBatch < 1 || chunks < 1) {
            message.set("Not applied: global batch and chunks must be positive");
            return false;
        }
        return apply(new EditorState(state.get().context(), p.withBatch(globalBatch, chunks), "global batch " + globalBatch + ", chunks " + chunks));
    }

    /** Budget, pipeline type and default DP type: settings that need no new profiles. */
    public boolean setSettings(ClusterSettings s) {
        ParallelPlan p = plan();
        ParallelPlan q = p.withSchedule(s.pipelineType(), s.defaultDpType());
        return apply(new EditorState(state.get().context().with(s), q, "settings: " + s.memoryGb() + " GB, "
                + s.pipelineType().configName() + ", " + s.defaultDpType().configName() + ", " + s.target().label()));
    }

    /** A plan from elsewhere (an imported config, a search result) into the history. */
    public boolean replacePlan(ParallelPlan p, String description) {
        return apply(new EditorState(state.get().context(), p, description));
    }

    /** Broken rules by layer (-1 for the whole plan), for marking cells. */
    public Map<Integer, List<String>> violationsByLayer() {
        Map<Integer, List<String>> out = new TreeMap<>();
        PlanEstimate e = estimate.get();
        if (e == null) return out;
        for (RuleViolation v : e.violations()) out.computeIfAbsent(v.layer(), k -> new ArrayList<>()).add("rule " + v.rule() + ": " + v.message());
        return out;
    }

    /** True when the plan can be exported without a warning. */
    public boolean clean() {
        PlanEstimate e = estimate.get();
        return e != null && e.violations().isEmpty() && e.fitsMemory()
                && PlanValidator.validate(plan(), state.get().context().model(), state.get().context().settings().worldSize(),
                state.get().context().settings().sequenceParallel()).isEmpty();
    }
}
