package studio.app.cluster;

import java.util.Locale;

/** How the project's cluster is reached: node by node over SSH, Slurm jobs through a login node, or Kubernetes objects. */
public enum ClusterKind {
    SSH_NODES("Nodes over SSH (every host is a node)"), SLURM("Slurm through a login node (the first host below)"),
    KUBERNETES("Kubernetes (a manifest for kubectl apply)");

    private final String label;

    ClusterKind(String label) {
        this.label = label;
    }

    public String label() { return label; }

    /** The project file's name of the kind. */
    public String fileName() { return name().toLowerCase(Locale.ROOT); }

    public static ClusterKind parse(String s) {
        for (ClusterKind k : values()) if (k.fileName().equals(s)) return k;
        throw new IllegalArgumentException("expected ssh_nodes, slurm or kubernetes, got '" + s + "'");
    }
}
