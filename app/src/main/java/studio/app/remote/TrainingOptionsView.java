package studio.app.remote;

import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

/** The fields of a {@link TrainingOptionsForm}, every one bound to it; the launch rows of both cluster kinds show them. */
public final class TrainingOptionsView {
    private final VBox root = new VBox(4);

    /**
     * @param engineId     the engine choice's id
     * @param iterationsId the iterations spinner's id
     * @param prefix       the other fields' ids start with it
     */
    public TrainingOptionsView(TrainingOptionsForm form, String engineId, String iterationsId, String prefix) {
        ComboBox<String> engine = new ComboBox<>();
        engine.getItems().setAll("galvatron", "djl");
        engine.setId(engineId);
        engine.valueProperty().bindBidirectional(form.engine);
        Spinner<Integer> iterations = new Spinner<>(1, 1_000_000, 100);
        iterations.setEditable(true);
        iterations.setId(iterationsId);
        iterations.getValueFactory().valueProperty().bindBidirectional(form.iterations);
        Spinner<Integer> saveInterval = new Spinner<>(1, 1_000_000, 100);
        saveInterval.setEditable(true);
        saveInterval.setId(prefix + "SaveInterval");
        saveInterval.setPrefWidth(90);
        saveInterval.getValueFactory().valueProperty().bindBidirectional(form.saveInterval);
        CheckBox flags = new CheckBox("Plan as Galvatron's global flags");
        flags.setId(prefix + "PlanAsFlags");
        flags.setTooltip(new Tooltip("GLOBAL mode (--pp_deg, --global_tp_deg, --sdp, --chunks, --global_checkpoint, --vocab_tp) instead of the "
                + "JSON config: only a plan with one strategy for every layer and Galvatron's even division"));
        flags.selectedProperty().bindBidirectional(form.planAsFlags);
        FlowPane what = new FlowPane(6, 6, new Label("Engine"), engine, field("Model dir", prefix + "ModelDir", form.modelDir, 22,
                "Galvatron's galvatron/models/<family> on the nodes"), field("Data", prefix + "Data", form.dataPath, 16,
                "Megatron data prefix (.bin/.idx; empty: random tokens)"), field("Tokenizer model", prefix + "Tokenizer", form.tokenizerModel, 12,
                "the tokenizer's model file for the dataset"), new Label("Iterations"), iterations, flags);
        FlowPane checkpoints = new FlowPane(6, 6, field("HF checkpoint in", prefix + "HfIn", form.hfCheckpoint, 14,
                "converted to Galvatron's format on the node before training"), field("Save to", prefix + "Save", form.saveDir, 14,
                "Galvatron's distributed checkpoint"), new Label("every"), saveInterval, field("HF out", prefix + "HfOut", form.exportHf, 14,
                "the saved checkpoint converted back to Hugging Face after training"), field("Load", prefix + "Load", form.load, 14,
                "a Galvatron checkpoint to start from"), field("Resume iteration", prefix + "Resume", form.resumeIteration, 5,
                "resume the loaded distributed checkpoint at this iteration"));
        checkpoints.visibleProperty().bind(form.engine.isEqualTo("galvatron"));
        checkpoints.managedProperty().bind(checkpoints.visibleProperty());
        root.getChildren().addAll(what, checkpoints);
    }

    public Node root() { return root; }

    private static Node field(String label, String id, javafx.beans.property.StringProperty value, int columns, String prompt) {
        TextField f = new TextField();
        f.setId(id);
        f.setPrefColumnCount(columns);
        f.setPromptText(prompt);
        f.setTooltip(new Tooltip(prompt));
        f.textProperty().bindBidirectional(value);
        return new VBox(1, new Label(label), f);
    }
}
