package studio.app.project;

import studio.engine.inputs.InputLocator;

import java.nio.file.Path;

/** Real contexts on the shipped samples, for tests. */
public final class TestContexts {
    private TestContexts() {
    }

    public static Path samples() {
        return InputLocator.defaultSampleRoot();
    }

    public static ContextLoader loader() {
        return new ContextLoader(samples());
    }

    public static PlanningContext sample() {
        return loader().load(ClusterSettings.sample());
    }

    /** llama-7b's profiles on a model with {@code layers} layers (the editor's 80-layer timing case). */
    public static PlanningContext withLayers(int layers) {
        PlanningContext c = sample();
        var model = c.model().withLayerCount(layers);
        var p = c.profiles();
        return new PlanningContext(c.settings(), model, new studio.engine.profile.ProfileBundle(model, p.forwardTimes(), p.otherForwardTime(),
                p.layerMemory(), p.otherPpOff(), p.otherFirstStage(), p.otherLastStage(), p.hardware()), c.estimated(),
                c.clusterMeasured());
    }
}
