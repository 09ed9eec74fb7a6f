package studio.app.project;

import studio.engine.plan.ParallelPlan;

import java.util.List;

/** What a studio project file holds: the settings, named plans and the user's notes. */
public record Project(ClusterSettings settings, List<NamedPlan> plans, String notes, List<studio.app.remote.ClusterHost> hosts,
                      List<studio.app.remote.RemoteRun> runs) {
    public Project {
        plans = List.copyOf(plans);
        notes = notes == null ? "" : notes;
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    public Project(ClusterSettings settings, List<NamedPlan> plans, String notes) {
        this(settings, plans, notes, List.of(), List.of());
    }

    /** A plan with a name (the first one is the plan being edited). */
    public record NamedPlan(String name, ParallelPlan plan) {
    }
}
