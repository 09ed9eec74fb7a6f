"""Galvatron Studio's hardware profiler (remote-runner starts one process a device on every node, torchrun-style env).

Measures what Galvatron's search reads: all-reduce bus bandwidth for every group size, consecutive and strided;
point-to-point bandwidth between pipeline stages for every pipeline degree; the slowdown of compute overlapped with
communication; and all-reduce / all-to-all times per message size for every group (the SP tables). Beside them, what
Galvatron does not profile: the optimizer step (gradient clipping, Adam, zeroing the gradients) per parameter, every
device at once as in training. NCCL on GPUs, Gloo on CPUs. Rank 0 writes one JSON file; remote-runner turns it into Galvatron's files.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size-mb", type=float, default=64.0, help="message size of the bandwidth tests")
    p.add_argument("--sp-sizes-mb", type=str, default="1,2,4,8,16,32,64,128,256,512,1024")
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--out", required=True)
    p.add_argument("--resume", action="store_true", help="keep the sections an earlier, interrupted run finished")
    a = p.parse_args()

    cuda = torch.cuda.is_available()
    if not cuda:
        torch.set_num_threads(1)  # a CPU process stands for one device: one core, as the pipeline bench's stages
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dev = torch.device("cuda") if cuda else torch.device("cpu")
    dtype = torch.bfloat16 if cuda else torch.float32
    esize = torch.tensor([], dtype=dtype).element_size()

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def timed(fn, iters=None):
        iters = iters or a.iters
        for _ in range(a.warmup):
            fn()
        sync()
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        sync()
        t = torch.tensor([(time.perf_counter() - t0) / iters], dtype=torch.float64, device=dev)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return t.item()

    def partition(g, consecutive):
        if consecutive:
            return [list(range(s, s + g)) for s in range(0, world, g)]
        stride = world // g
        return [list(range(s, world, stride)) for s in range(stride)]

    def my_group(g, consecutive):
        mine = None
        for ranks in partition(g, consecutive):
            pg = dist.new_group(ranks)  # every rank creates every group, in the same order
            if rank in ranks:
                mine = pg
        return mine

    out = {"backend": "nccl" if cuda else "gloo", "world": world,
           "device": torch.cuda.get_device_name() if cuda else "cpu", "allreduce": {}, "p2p": {}, "sp": {}, "done": []}
    nbytes = int(a.size_mb * 2 ** 20)
    x = torch.ones(nbytes // esize, device=dev, dtype=dtype)
    sizes = [2 ** i for i in range(int(math.log2(world)), 0, -1)]
    sections = ["allreduce", "p2p", "overlap"] + ["sp_%d" % g for g in sizes] + ["optimizer"]

    # resume: rank 0 reads what an interrupted run saved and tells every rank which sections to skip
    skip = torch.zeros(len(sections), dtype=torch.int32, device=dev)
    if a.resume and rank == 0 and os.path.exists(a.out):
        with open(a.out) as f:
            old = json.load(f)
        if old.get("world") == world and old.get("backend") == out["backend"]:
            out = old
            for i, s in enumerate(sections):
                skip[i] = 1 if s in out.get("done", []) else 0
    dist.broadcast(skip, 0)
    todo = {s: skip[i].item() == 0 for i, s in enumerate(sections)}

    def finished(section):
        if rank == 0:
            out["done"].append(section)
            tmp = a.out + ".part"
            with open(tmp, "w") as f:
                json.dump(out, f, indent=2)
            os.replace(tmp, a.out)
            print(json.dumps({"event": "progress", "section": section, "done": len(out["done"]), "of": len(sections)}), flush=True)

    if todo["allreduce"]:
        allreduce_bandwidths(out, sizes, world, nbytes, x, my_group, timed)
        finished("allreduce")
    if todo["p2p"]:
        p2p_bandwidths(out, sizes, world, rank, nbytes, x, timed)
        finished("p2p")
    if todo["overlap"]:
        overlap(out, cuda, dev, dtype, x, timed)
        finished("overlap")
    sp_sizes = [int(s) for s in a.sp_sizes_mb.split(",")]
    for g in sizes:
        if todo["sp_%d" % g]:
            sp_times(out, g, sp_sizes, esize, dev, dtype, my_group, timed)
            finished("sp_%d" % g)
    if todo["optimizer"]:
        optimizer_step(out, cuda, dev, timed, max(a.iters, 8))
        finished("optimizer")

    dist.barrier()
    dist.destroy_process_group()


def allreduce_bandwidths(out, sizes, world, nbytes, x, my_group, timed):
    for g in sizes:
        for consec in ([1] if g == world else [1, 0]):
            pg = my_group(g, consec)
            t = timed(lambda: dist.all_reduce(x, group=pg))
            out["allreduce"]["allreduce_size_%d_consec_%d" % (g, consec)] = 2.0 * (g - 1) / g * nbytes / t / 1e9


def p2p_bandwidths(out, sizes, world, rank, nbytes, x, timed):
    # point-to-point between adjacent stages of a pipeline of degree pp: rank r of stage 0 sends to r + world/pp
    for pp in sizes:
        stage = world // pp

        def step():
            ops = []
            if rank < stage:
                ops.append(dist.P2POp(dist.isend, x, rank + stage))
            elif rank < 2 * stage:
                ops.append(dist.P2POp(dist.irecv, x, rank - stage))
            if ops:
                for r in dist.batch_isend_irecv(ops):
                    r.wait()

        t = timed(step)
        out["p2p"]["pp_size_%d" % pp] = nbytes / t / 1e9


def overlap(out, cuda, dev, dtype, x, timed):
    # a matmul loop alone, the all-reduce alone, and both at once
    n = 2048 if cuda else 256
    m1 = torch.randn(n, n, device=dev, dtype=dtype)
    m2 = torch.randn(n, n, device=dev, dtype=dtype)
    reps = 20 if cuda else 4

    def compute():
        for _ in range(reps):
            torch.matmul(m1, m2)

    def comm():
        dist.all_reduce(x)

    def both():
        w = dist.all_reduce(x, async_op=True)
        compute()
        w.wait()

    tc, tm, tb = timed(compute), timed(comm), timed(both)
    out["overlap_coe"] = max(1.0, tb / max(tc, tm))
    out["overlap_detail"] = {"compute_s": tc, "comm_s": tm, "both_s": tb}


def sp_times(out, g, sp_sizes, esize, dev, dtype, my_group, timed):
    # SP tables: all-reduce and all-to-all time (ms) per message size, consecutive groups
    pg = my_group(g, 1)
    for mb in sp_sizes:
        y = torch.ones(mb * 2 ** 20 // esize, device=dev, dtype=dtype)
        out["sp"]["allreduce_size_%d_%dMB_time" % (g, mb)] = timed(lambda: dist.all_reduce(y, group=pg)) * 1e3
        z = torch.empty_like(y)
        try:
            t = timed(lambda: dist.all_to_all_single(z, y, group=pg))
        except (RuntimeError, NotImplementedError):
            # Gloo without all-to-all: the same volume as an all-gather of 1/g of the message
            part = y[: y.numel() // g]
            bufs = [torch.empty_like(part) for _ in range(g)]
            t = timed(lambda: dist.all_gather(bufs, part, group=pg))
            out["all2all_emulated"] = True
        out["sp"]["all2all_size_%d_%dMB_time" % (g, mb)] = t * 1e3
        del y, z


def optimizer_step(out, cuda, dev, timed, iters):
    # Adam over fp32 parameters (the runtime's master weights), with the gradient clipping and zeroing of each
    # iteration, at two sizes: a line through them gives the fixed part and the time per parameter
    sizes = [2 ** 24, 2 ** 26] if cuda else [2 ** 21, 2 ** 23]
    pieces = 4  # a model's parameters are many tensors, not one
    step_ms = []
    for n in sizes:
        params = [torch.nn.Parameter(torch.randn(n // pieces, device=dev, dtype=torch.float32)) for _ in range(pieces)]
        for q in params:
            q.grad = torch.randn_like(q)
        opt = torch.optim.Adam(params, lr=1e-4, weight_decay=0.01)

        def step():
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=False)

        step_ms.append(timed(step, iters) * 1e3)
        del params, opt
    per_param = max(0.0, (step_ms[1] - step_ms[0]) / (sizes[1] - sizes[0]))
    out["optimizer"] = {"optimizer": "torch.optim.Adam", "parameter_dtype": "fp32", "clip_grad": 1.0, "parameters": sizes,
                        "step_ms": step_ms, "fixed_ms": max(0.0, step_ms[0] - per_param * sizes[0]),
                        "ms_per_million_parameters": per_param * 1e6}


if __name__ == "__main__":
    sys.exit(main())
