package studio.app.project;

import studio.engine.plan.ParallelPlan;

import java.util.List;

/**
 * What a studio project file holds: the settings, named plans and the user's notes; the cluster's hosts and runs; for a
 * Slurm site its settings, the submitted jobs (each with its script as submitted) and the script being prepared; which
 * kind of cluster it is; for Kubernetes its settings and the manifest as the user left it.
 */
public record Project(ClusterSettings settings, List<NamedPlan> plans, String notes, List<studio.app.cluster.ClusterHost> hosts,
                      List<studio.app.cluster.RemoteRun> runs, studio.app.cluster.SlurmSettings slurm, List<studio.app.cluster.SlurmJob> jobs,
                      String slurmScript, Kubernetes kubernetes) {
    /**
     * The cluster's kind and, for Kubernetes, its settings (null while the form does not make valid ones) and manifest.
     */
    public record Kubernetes(studio.app.cluster.ClusterKind kind, studio.app.cluster.KubernetesSettings settings, String manifest) {
        public static final Kubernetes NONE = new Kubernetes(studio.app.cluster.ClusterKind.SSH_NODES, null, "");

        public Kubernetes {
            kind = kind == null ? studio.app.cluster.ClusterKind.SSH_NODES : kind;
            manifest = manifest == null ? "" : manifest;
        }
    }

    public Project {
        kubernetes = kubernetes == null ? (slurm != null ? new Kubernetes(studio.app.cluster.ClusterKind.SLURM, null, "") : Kubernetes.NONE) : kubernetes;
        plans = List.copyOf(plans);
        notes = notes == null ? "" : notes;
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        runs = runs == null ? List.of() : List.copyOf(runs);
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        slurmScript = slurmScript == null ? "" : slurmScript;
    }

    /** A project of SSH nodes only (no Slurm settings, no jobs). */
    public Project(ClusterSettings settings, List<NamedPlan> plans, String notes, List<studio.app.cluster.ClusterHost> hosts,
                   List<studio.app.cluster.RemoteRun> runs) {
        this(settings, plans, notes, hosts, runs, null, List.of(), "", Kubernetes.NONE);
    }

    public Project(ClusterSettings settings, List<NamedPlan> plans, String notes) {
        this(settings, plans, notes, List.of(), List.of());
    }

    public studio.app.cluster.ClusterKind clusterKind() { return kubernetes.kind(); }

    /** What a plan is to the project. */
    public enum Role {
        EDITED("edited"), COMPARED("compared"), SEARCH_RESULT("search_result");

        private final String fileName;

        Role(String fileName) {
            this.fileName = fileName;
        }

        public String fileName() { return fileName; }

        public static Role parse(String s) {
            for (Role r : values()) if (r.fileName.equals(s)) return r;
            throw new IllegalArgumentException("role '" + s + "': expected edited, compared or search_result");
        }
    }

    /** What the search said of a plan it found (kept so a reopened project lists its results as they were). */
    public record SearchFigures(int globalBatch, int rank, double throughput, double iterationS, int peakMemoryMb, int minTp, int maxTp) {
    }

    /**
     * A plan with a name and its role: the one being edited, one on the comparison shelf, or a search result (with
     * the search's figures).
     */
    public record NamedPlan(String name, ParallelPlan plan, Role role, SearchFigures figures) {
        /** A plan whose role follows its place: the first is the edited one, the others compared. */
        public NamedPlan(String name, ParallelPlan plan) {
            this(name, plan, null, null);
        }
    }

    /** The plan being edited: the one marked so, else the first. */
    public ParallelPlan editedPlan() {
        return plans.stream().filter(p -> p.role() == Role.EDITED).findFirst().orElse(plans.get(0)).plan();
    }

    /** The plans of a role; a plan without one counts as edited when first, compared otherwise. */
    public List<NamedPlan> plans(Role role) {
        java.util.List<NamedPlan> out = new java.util.ArrayList<>();
        boolean anyEdited = plans.stream().anyMatch(p -> p.role() == Role.EDITED);
        for (int i = 0; i < plans.size(); i++) {
            NamedPlan p = plans.get(i);
            Role r = p.role() != null ? p.role() : (i == 0 && !anyEdited ? Role.EDITED : Role.COMPARED);
            if (r == role) out.add(p);
        }
        return out;
    }
}
