package studio.app.project;

import studio.engine.plan.ParallelPlan;

import java.util.List;

/** What a studio project file holds: the settings, named plans and the user's notes. */
public record Project(ClusterSettings settings, List<NamedPlan> plans, String notes) {
    public Project {
        plans = List.copyOf(plans);
        notes = notes == null ? "" : notes;
    }

    /** A plan with a name (the first one is the plan being edited). */
    public record NamedPlan(String name, ParallelPlan plan) {
    }
}
