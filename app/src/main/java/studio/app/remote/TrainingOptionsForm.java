package studio.app.remote;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import studio.app.project.PlanEditor;
import studio.engine.plan.GlobalFlags;

/**
 * What a launch trains, the same for nodes over SSH and for Slurm jobs: the engine, Galvatron's model folder, a
 * Megatron dataset and its tokenizer (empty: random tokens), iterations, a Hugging Face checkpoint converted in before
 * and a Galvatron checkpoint converted back after, saving, loading and resuming, and the plan as its JSON config or as
 * Galvatron's GLOBAL-mode flags.
 */
public final class TrainingOptionsForm {
    public final StringProperty engine = new SimpleStringProperty("galvatron");
    public final StringProperty modelDir = new SimpleStringProperty("");
    public final StringProperty dataPath = new SimpleStringProperty("");
    public final StringProperty tokenizerModel = new SimpleStringProperty("");
    public final ObjectProperty<Integer> iterations = new SimpleObjectProperty<>(100);
    public final StringProperty hfCheckpoint = new SimpleStringProperty("");
    public final StringProperty saveDir = new SimpleStringProperty("");
    public final ObjectProperty<Integer> saveInterval = new SimpleObjectProperty<>(100);
    public final StringProperty exportHf = new SimpleStringProperty("");
    public final StringProperty load = new SimpleStringProperty("");
    public final StringProperty resumeIteration = new SimpleStringProperty("");
    /** The plan as Galvatron's GLOBAL-mode flags (one strategy for every layer) instead of its JSON config. */
    public final BooleanProperty planAsFlags = new SimpleBooleanProperty(false);

    /**
     * The request for the editor's plan.
     *
     * @param galvatron3ModelSize the model name of a 3.0 project (its runtime), else null
     * @throws IllegalArgumentException naming the field when a value cannot be used, or why the plan is not GLOBAL-mode
     */
    public TrainRequest request(PlanEditor editor, String galvatron3ModelSize) {
        var settings = editor.state() == null ? null : editor.state().context().settings();
        TrainRequest r = TrainRequest.forPlan(engine.get(), settings, modelDir.get(), dataPath.get(), iterations.get(), galvatron3ModelSize);
        if (engine.get().equals("djl")) return r;
        // the folder and the dataset are forPlan's; the checkpoints and the tokenizer come here
        r = r.withFiles(TrainRequest.blankToNull(hfCheckpoint.get()), TrainRequest.blankToNull(saveDir.get()), saveInterval.get(),
                TrainRequest.blankToNull(exportHf.get()), r.dataPath(), TrainRequest.blankToNull(tokenizerModel.get()));
        Integer resume = null;
        if (!resumeIteration.get().isBlank()) {
            try {
                resume = Integer.valueOf(resumeIteration.get().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Resume iteration: expected a whole number, got '" + resumeIteration.get() + "'");
            }
        }
        GlobalFlags global = null;
        if (planAsFlags.get() && editor.plan() != null) {
            GlobalFlags.Result flags = GlobalFlags.of(editor.plan());
            if (flags.flags() == null) throw new IllegalArgumentException("The plan as Galvatron's global flags: " + flags.whyNot()
                    + "; launch it with its JSON config");
            global = flags.flags();
        }
        String modelType = editor.state() == null ? null : studio.engine.model.ModelFamily.checkpointModelType(
                editor.state().context().model().family(), editor.state().context().experts() != null);
        return r.with(new TrainRequest.Extras(modelType, TrainRequest.blankToNull(load.get()), resume, global));
    }
}
