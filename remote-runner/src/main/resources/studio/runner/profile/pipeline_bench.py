# A real pipelined model on CPU processes (torch.distributed, Gloo), one process a stage, run with Galvatron's two
# schedules (GPipe; 1F1B, Galvatron's pipedream_flush), recording when every forward and backward of every
# micro-batch ran on every stage. The studio's schedule simulator is checked against it (issue 15, item 3). An op's
# time runs from the moment its input has arrived to the moment its output is on its way: all a stage does for it,
# so that what is left between ops is waiting, which the schedule explains.
#
# Run by the runner's `pipeline-bench` with RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set; rank 0 writes --out:
# {"stages": [{"forward_ms": F, "backward_ms": B, "parameters": N}, ...] (means over the iterations), "p2p_ms": [per boundary,
#  one-way over otherwise idle stages, from a ping-pong before the iterations],
#  "iterations": [{"iteration_ms": T, "forward_ms": [per stage], "backward_ms": [per stage], "optimizer_ms": [per stage],
#                  "p2p_forward_ms": [per boundary, per micro-batch], "p2p_backward_ms": [the same, the gradients]}, ...],
#  "ops": [the last iteration's]}. With --adam an iteration ends with each stage's optimizer step (op "O").
import argparse
import json
import os
import statistics
import time

import torch
import torch.distributed as dist
from torch.utils.checkpoint import checkpoint


class Block(torch.nn.Module):
    """A transformer-sized MLP block: two matrices and a residual, what a layer's compute looks like to a schedule."""

    def __init__(self, hidden):
        super().__init__()
        self.up = torch.nn.Linear(hidden, 2 * hidden)
        self.down = torch.nn.Linear(2 * hidden, hidden)

    def forward(self, x):
        return x + self.down(torch.relu(self.up(x)))


def order(schedule, stage, stages, micro_batches):
    """The order one stage runs its forwards ("F", i) and backwards ("B", i) in, as the runtime does."""
    if schedule == "gpipe":
        return [("F", i) for i in range(micro_batches)] + [("B", i) for i in range(micro_batches)]
    warmup = min(stages - stage - 1, micro_batches)
    out = [("F", i) for i in range(warmup)]
    f, b = warmup, 0
    while f < micro_batches:
        out.append(("F", f))
        out.append(("B", b))
        f += 1
        b += 1
    out += [("B", i) for i in range(b, micro_batches)]
    return out


def ping(rank, peer, shape, rounds):
    """One-way time of an activation-sized message between two stages, from round trips."""
    buf = torch.zeros(shape)
    dist.barrier()
    start = time.perf_counter()
    for _ in range(rounds):
        if rank < peer:
            dist.send(buf, peer)
            dist.recv(buf, peer)
        else:
            dist.recv(buf, peer)
            dist.send(buf, peer)
    return (time.perf_counter() - start) / rounds / 2 * 1000


def transfers(gathered, k, boundary, kind):
    """Iteration k's messages over a boundary, by micro-batch: activations ("F", stage b to b + 1) or gradients ("B",
    back), each from the moment both ends were at it (the send handed over, the receive posted) to the receive's
    return, which is what the receiving op waited beyond its peer."""
    sender, receiver = (boundary, boundary + 1) if kind == "F" else (boundary + 1, boundary)
    sent = {o["micro_batch"]: o["sent"] for o in gathered[sender]["records"][k]["ops"] if o["kind"] == kind}
    out = {o["micro_batch"]: o["start"] - max(o["waited"], sent[o["micro_batch"]])
           for o in gathered[receiver]["records"][k]["ops"] if o["kind"] == kind}
    return [out[i] * 1000 for i in sorted(out)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", required=True, help="blocks per stage, comma-separated (one entry per process)")
    ap.add_argument("--micro-batches", type=int, required=True)
    ap.add_argument("--schedule", choices=["gpipe", "1f1b"], required=True)
    ap.add_argument("--recompute", action="store_true", help="checkpoint every stage: its forward runs again in the backward")
    ap.add_argument("--adam", action="store_true", help="end each iteration with the runtime's optimizer step (clipping, Adam, "
                    "zeroing), timed as part of it; else a plain SGD step after it")
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--rows", type=int, default=64, help="tokens of one micro-batch")
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    layers = [int(x) for x in args.layers.split(",")]
    if len(layers) != world:
        raise SystemExit("--layers has %d stages for %d processes" % (len(layers), world))
    torch.manual_seed(1234 + rank)
    model = torch.nn.Sequential(*[Block(args.hidden) for _ in range(layers[rank])])
    params = list(model.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-4, weight_decay=0.01) if args.adam else torch.optim.SGD(params, lr=1e-4)
    shape = (args.rows, args.hidden)
    inputs = [torch.randn(shape) for _ in range(args.micro_batches)]

    p2p = []
    for s in range(world - 1):
        if rank in (s, s + 1):
            p2p.append(ping(rank, s + 1 if rank == s else s, shape, 20))
        else:
            dist.barrier()
            p2p.append(0.0)

    def run_stage(x):
        return checkpoint(model, x) if args.recompute else model(x)

    records = []
    for it in range(args.warmup + args.iters):
        dist.barrier()
        start = time.perf_counter()
        ops = []
        saved = {}
        pending = []
        for kind, i in order(args.schedule, rank, world, args.micro_batches):
            # when this op's input was asked for (its receive posted) and when its output was handed to the send
            waited = sent = None
            if kind == "F":
                if rank == 0:
                    x = inputs[i].clone().requires_grad_(args.recompute)
                else:
                    x = torch.empty(shape)
                    waited = time.perf_counter()
                    dist.recv(x, rank - 1)
                    x.requires_grad_()
                t0 = time.perf_counter()
                y = run_stage(x)
                saved[i] = (x, y)
                if rank < world - 1:
                    sent = time.perf_counter()
                    pending.append(dist.isend(y.detach().contiguous(), rank + 1))
                t1 = time.perf_counter()
            else:
                x, y = saved.pop(i)
                if rank == world - 1:
                    t0 = time.perf_counter()
                    y.float().pow(2).mean().backward()
                else:
                    grad = torch.empty(shape)
                    waited = time.perf_counter()
                    dist.recv(grad, rank + 1)
                    t0 = time.perf_counter()
                    y.backward(grad)
                if rank > 0:
                    sent = time.perf_counter()
                    pending.append(dist.isend(x.grad.contiguous(), rank - 1))
                t1 = time.perf_counter()
            ops.append({"kind": kind, "micro_batch": i, "start": t0, "end": t1, "waited": waited, "sent": sent})
        end = ops[-1]["end"]
        for p in pending:
            p.wait()
        if args.adam:
            t0 = time.perf_counter()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=False)
            end = time.perf_counter()
            ops.append({"kind": "O", "micro_batch": -1, "start": t0, "end": end})
        else:
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        if it >= args.warmup:
            records.append({"start": start, "end": end, "ops": ops})

    gathered = [None] * world
    dist.all_gather_object(gathered, {"records": records, "p2p": p2p, "parameters": sum(q.numel() for q in params)})
    if rank == 0:
        stages = []
        for s in range(world):
            fw = [o["end"] - o["start"] for r in gathered[s]["records"] for o in r["ops"] if o["kind"] == "F"]
            bw = [o["end"] - o["start"] for r in gathered[s]["records"] for o in r["ops"] if o["kind"] == "B"]
            stages.append({"layers": layers[s], "forward_ms": statistics.mean(fw) * 1000, "backward_ms": statistics.mean(bw) * 1000,
                           "parameters": gathered[s]["parameters"]})
        iterations = []
        ops = []
        for k in range(args.iters):
            begin = min(gathered[s]["records"][k]["start"] for s in range(world))
            finish = max(gathered[s]["records"][k]["end"] for s in range(world))
            each = {"iteration_ms": (finish - begin) * 1000, "forward_ms": [], "backward_ms": [], "optimizer_ms": []}
            for s in range(world):
                mine = gathered[s]["records"][k]["ops"]
                each["forward_ms"].append(statistics.mean(o["end"] - o["start"] for o in mine if o["kind"] == "F") * 1000)
                each["backward_ms"].append(statistics.mean(o["end"] - o["start"] for o in mine if o["kind"] == "B") * 1000)
                each["optimizer_ms"].append(sum(o["end"] - o["start"] for o in mine if o["kind"] == "O") * 1000)
            each["p2p_forward_ms"] = [transfers(gathered, k, b, "F") for b in range(world - 1)]
            each["p2p_backward_ms"] = [transfers(gathered, k, b, "B") for b in range(world - 1)]
            iterations.append(each)
            if k == args.iters - 1:
                for s in range(world):
                    for o in gathered[s]["records"][k]["ops"]:
                        ops.append({"stage": s, "kind": o["kind"], "micro_batch": o["micro_batch"],
                                    "start_ms": (o["start"] - begin) * 1000, "end_ms": (o["end"] - begin) * 1000})
        p2p_ms = [max(gathered[s]["p2p"][s], gathered[s + 1]["p2p"][s]) for s in range(world - 1)]
        result = {"schedule": args.schedule, "micro_batches": args.micro_batches, "recompute": args.recompute, "adam": args.adam, "stages": stages,
                  "p2p_ms": p2p_ms, "iterations": iterations, "ops": ops, "torch": torch.__version__}
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, args.out)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
