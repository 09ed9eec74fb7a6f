package studio.engine.launch;

/**
 * Where one node's torchrun meets the others (torchrun's {@code --nnodes --nproc_per_node --node_rank --master_addr
 * --master_port}). A launch without one leaves them to torchrun's {@code PET_*} environment, as Kubeflow's PyTorchJob
 * sets it on each pod.
 */
public record Rendezvous(int nodes, int gpusPerNode, int nodeRank, String masterAddr, int masterPort) {
    public Rendezvous {
        if (nodes < 1 || gpusPerNode < 1) throw new IllegalArgumentException("rendezvous: expected at least one node and one GPU per node");
        if (nodeRank < 0 || nodeRank >= nodes) throw new IllegalArgumentException("rendezvous: node rank " + nodeRank + " of " + nodes + " nodes");
        if (masterPort < 1 || masterPort > 65535) throw new IllegalArgumentException("rendezvous: master port " + masterPort + " is not a TCP port");
    }
}
