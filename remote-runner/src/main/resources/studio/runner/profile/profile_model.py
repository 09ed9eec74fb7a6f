"""Galvatron Studio's model profiler, torch flavour: the runner's fallback where DJL's libtorch cannot reach the GPU.

Builds the same decoder as the runner's DJL DecoderStack (llama: RMSNorm, GQA attention with rotary positions, SwiGLU;
gpt: LayerNorm, attention with biases, GeLU MLP, dropout), forward only, and prints one JSON line per measurement:
  {"key": "layernum[L]_bsz{b}_seq{s}", "ms": median forward ms}
  {"memory_seq": s, "replicated_bytes_bsz{b}": ..., "sharded_bytes_bsz{b}": ..., "layer_parameters": n, "layer_input_bytes": ...}
remote-runner saves each line as it comes (so an interrupted profile resumes) and post-processes as Galvatron does.

With --parts (what Galvatron's profiler does not measure), one layer at batch b and length s, forward, median ms:
  {"key": "layertype_0_layer_bsz{b}_seq{s}"}          the whole layer (an MoE layer: router and its top-k experts)
  {"key": "layertype_0_ring_bsz{b}_seq{s}_cp{c}"}      one ring-attention step: S/cp queries against one S/cp K/V block
  {"key": "layertype_0_dense_bsz{b}_seq{s}"}           an MoE layer without its experts (attention, norms, router)
  {"key": "layertype_0_expert_tokens{t}"}              one expert's SwiGLU over t tokens
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F


class Decoder:
    def __init__(self, m, layers, dtype, dev, act_bytes):
        self.m, self.dtype, self.dev, self.act_bytes = m, dtype, dev, act_bytes
        self.llama = m["family"] == "llama_hf"
        h, a, g = m["hidden"], m["heads"], m["kv_heads"]
        self.h, self.a, self.g, self.d, self.f, self.v = h, a, g, m.get("head_dim", h // a), m["ffn"], m["vocab"]
        std = 1 / math.sqrt(h)
        w = lambda *shape, s=std: (torch.randn(*shape, device=dev) * s).to(dtype)
        ones = lambda n: torch.ones(n, device=dev, dtype=dtype)
        zeros = lambda n: torch.zeros(n, device=dev, dtype=dtype)
        self.embedding = w(self.v, h, s=0.02)
        self.layers = []
        for _ in range(layers):
            if self.llama:
                self.layers.append([ones(h), w(h, (a + 2 * g) * self.d), w(a * self.d, h), ones(h), w(h, 2 * self.f),
                                    w(self.f, h, s=1 / math.sqrt(self.f))])
            else:
                self.layers.append([ones(h), zeros(h), w(h, 3 * h), zeros(3 * h), w(h, h), zeros(h), ones(h), zeros(h),
                                    w(h, self.f), zeros(self.f), w(self.f, h, s=1 / math.sqrt(self.f)), zeros(h)])
        self.layer_parameters = sum(t.numel() for t in self.layers[0])
        self.final = [ones(h)] if self.llama else [ones(h), zeros(h)]
        self.head = w(h, self.v)
        self.saved = (0, 0)

    def nbytes(self, *ts):
        return sum(t.numel() for t in ts) * self.act_bytes

    @staticmethod
    def rms(x, w):
        return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w

    @staticmethod
    def ln(x, w, b):
        mu = x.mean(-1, keepdim=True)
        c = x - mu
        return c / torch.sqrt(c.pow(2).mean(-1, keepdim=True) + 1e-5) * w + b

    def attention(self, q, k, v, mask, b, s):
        grp = self.a // self.g
        if grp > 1:
            k = k.repeat_interleave(grp, dim=2)
            v = v.repeat_interleave(grp, dim=2)
        p = torch.softmax(q.transpose(1, 2) @ k.permute(0, 2, 3, 1) / math.sqrt(self.d) + mask, dim=-1)
        return (p @ v.transpose(1, 2)).transpose(1, 2).reshape(b, s, self.a * self.d)

    def rope(self, s):
        half = self.d // 2
        pos = torch.arange(s, device=self.dev, dtype=torch.float32)[:, None]
        inv = 10000 ** (-2.0 * torch.arange(half, device=self.dev, dtype=torch.float32) / self.d)
        ang = torch.cat([pos * inv, pos * inv], dim=-1)
        return ang.cos().reshape(1, s, 1, self.d).to(self.dtype), ang.sin().reshape(1, s, 1, self.d).to(self.dtype)

    def apply_rope(self, t, cs):
        x1, x2 = t.chunk(2, dim=-1)
        return t * cs[0] + torch.cat([-x2, x1], dim=-1) * cs[1]

    def layer(self, x, w, mask, cs, count):
        b, s, _ = x.shape
        if self.llama:
            n1 = self.rms(x, w[0])
            q, k, v = (n1 @ w[1]).split([self.a * self.d, self.g * self.d, self.g * self.d], dim=-1)
            q = self.apply_rope(q.reshape(b, s, self.a, self.d), cs)
            k = self.apply_rope(k.reshape(b, s, self.g, self.d), cs)
            v = v.reshape(b, s, self.g, self.d)
            o = self.attention(q, k, v, mask, b, s)
            x2 = x + o @ w[2]
            n2 = self.rms(x2, w[3])
            gu = n2 @ w[4]
            gate, up = gu.chunk(2, dim=-1)
            act = gate * torch.sigmoid(gate) * up
            out = x2 + act @ w[5]
            if count:
                self.saved = (self.nbytes(x, n1, x2, n2), self.nbytes(q, k, v, o, gu, act))
        else:
            n1 = self.ln(x, w[0], w[1])
            q, k, v = (n1 @ w[2] + w[3]).chunk(3, dim=-1)
            q, k, v = (t.reshape(b, s, self.a, self.d) for t in (q, k, v))
            o = self.attention(q, k, v, mask, b, s)
            x2 = x + F.dropout(o @ w[4] + w[5], 0.1, True)
            n2 = self.ln(x2, w[6], w[7])
            fc1 = n2 @ w[8] + w[9]
            act = F.gelu(fc1)
            out = x2 + F.dropout(act @ w[10] + w[11], 0.1, True)
            if count:
                self.saved = (self.nbytes(x, n1, x2, n2) + 2 * x.numel(), self.nbytes(q, k, v, o, fc1, act))
        return out

    @torch.no_grad()
    def forward_loss(self, layers, b, s):
        tokens = torch.randint(0, self.v, (b, s), device=self.dev)
        x = self.embedding[tokens]
        if not self.llama:
            x = F.dropout(x, 0.1, True)
        mask = torch.triu(torch.full((s, s), -1e4, device=self.dev), 1).reshape(1, 1, s, s).to(self.dtype)
        cs = self.rope(s) if self.llama else None
        for i in range(layers):
            x = self.layer(x, self.layers[i], mask, cs, i == 0)
        x = self.rms(x, self.final[0]) if self.llama else self.ln(x, self.final[0], self.final[1])
        logp = torch.log_softmax((x @ self.head).float(), dim=-1)
        return -logp.gather(-1, tokens.unsqueeze(-1)).mean().item()  # .item() synchronises the device


class Parts:
    """One llama-style layer, dense or with routed experts (Mixtral / Qwen-MoE: softmax router, top-k, SwiGLU experts)."""

    def __init__(self, dec, moe):
        self.dec, self.moe = dec, moe
        h, dev, dtype = dec.h, dec.dev, dec.dtype
        if moe:
            e, fe = moe["experts"], moe["expert_ffn"]
            w = lambda *shape, s: (torch.randn(*shape, device=dev) * s).to(dtype)
            self.router = w(h, e, s=1 / math.sqrt(h))
            self.experts = [(w(h, 2 * fe, s=1 / math.sqrt(h)), w(fe, h, s=1 / math.sqrt(fe))) for _ in range(e)]

    @staticmethod
    def swiglu(x, gu, down):
        gate, up = (x @ gu).chunk(2, dim=-1)
        return (gate * torch.sigmoid(gate) * up) @ down

    def attention_half(self, x, mask, cs):
        d, w = self.dec, self.dec.layers[0]
        b, s, _ = x.shape
        n1 = d.rms(x, w[0])
        q, k, v = (n1 @ w[1]).split([d.a * d.d, d.g * d.d, d.g * d.d], dim=-1)
        q = d.apply_rope(q.reshape(b, s, d.a, d.d), cs)
        k = d.apply_rope(k.reshape(b, s, d.g, d.d), cs)
        o = d.attention(q, k, v.reshape(b, s, d.g, d.d), mask, b, s)
        x2 = x + o @ w[2]
        return x2, d.rms(x2, w[3])

    def route(self, n2):
        logits = (n2.reshape(-1, self.dec.h) @ self.router).float()
        weights, chosen = torch.topk(torch.softmax(logits, dim=-1), self.moe["top_k"], dim=-1)
        return (weights / weights.sum(-1, keepdim=True)).to(self.dec.dtype), chosen

    @torch.no_grad()
    def layer(self, b, s, experts=True):
        d = self.dec
        x = torch.randn(b, s, d.h, device=d.dev).to(d.dtype)
        mask = torch.triu(torch.full((s, s), -1e4, device=d.dev), 1).reshape(1, 1, s, s).to(d.dtype)
        x2, n2 = self.attention_half(x, mask, d.rope(s))
        if not self.moe:
            w = d.layers[0]
            out = x2 + self.swiglu(n2, w[4], w[5])
        else:
            weights, chosen = self.route(n2)
            out = x2.reshape(-1, d.h).clone()
            if experts:
                flat = n2.reshape(-1, d.h)
                for e, (gu, down) in enumerate(self.experts):
                    rows, slot = (chosen == e).nonzero(as_tuple=True)
                    if rows.numel():
                        out.index_add_(0, rows, self.swiglu(flat[rows], gu, down) * weights[rows, slot].unsqueeze(-1))
        return out.float().sum().item()  # .item() synchronises the device

    @torch.no_grad()
    def expert(self, tokens):
        gu, down = self.experts[0]
        x = torch.randn(tokens, self.dec.h, device=self.dec.dev).to(self.dec.dtype)
        return self.swiglu(x, gu, down).float().sum().item()

    @torch.no_grad()
    def ring_step(self, b, s, cp):
        d = self.dec
        block = s // cp
        q = torch.randn(b, block, d.a, d.d, device=d.dev).to(d.dtype)
        k = torch.randn(b, block, d.g, d.d, device=d.dev).to(d.dtype)
        v = torch.randn(b, block, d.g, d.d, device=d.dev).to(d.dtype)
        # an off-diagonal block: every query sees every key of the block it received
        return d.attention(q, k, v, 0.0, b, block).float().sum().item()


def median_ms(fn, warmup, iters):
    ms = []
    for i in range(warmup + iters):
        t0 = time.perf_counter()
        fn()
        if i >= warmup:
            ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True, help="JSON: family, hidden, heads, kv_heads, ffn, vocab (and head_dim where not hidden / heads)")
    p.add_argument("--times", default="", help="L:b:s,... forward times to measure")
    p.add_argument("--memory-seqs", default="", help="s,... sequence lengths to size")
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--precision", default="bf16")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--device", default="auto")
    p.add_argument("--parts", default="", help="b:s of the layer's parts to measure (with --cp-degrees, --moe)")
    p.add_argument("--cp-degrees", default="", help="c,... ring-attention steps to measure")
    p.add_argument("--moe", default="", help="JSON: experts, top_k, expert_ffn (an MoE layer)")
    a = p.parse_args()
    m = json.loads(a.model)
    cuda = torch.cuda.is_available() and a.device != "cpu"
    dev = torch.device("cuda" if cuda else "cpu")
    dtype = torch.float32 if not cuda or a.precision == "fp32" else (torch.float16 if a.precision == "fp16" else torch.bfloat16)
    act_bytes = 4 if a.precision == "fp32" else 2
    torch.manual_seed(0)
    dec = Decoder(m, a.layers, dtype, dev, act_bytes)
    print(json.dumps({"started": True, "device": torch.cuda.get_device_name() if cuda else "cpu", "torch": torch.__version__,
                      "dtype": str(dtype)}), flush=True)
    for spec in filter(None, a.times.split(",")):
        layers, b, s = (int(x) for x in spec.split(":"))
        ms = []
        for i in range(a.warmup + a.iters):
            t0 = time.perf_counter()
            dec.forward_loss(layers, b, s)
            if i >= a.warmup:
                ms.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps({"key": "layernum[%d]_bsz%d_seq%d" % (layers, b, s), "ms": statistics.median(ms)}), flush=True)
    for s in (int(x) for x in filter(None, a.memory_seqs.split(","))):
        out = {"memory_seq": s, "layer_parameters": dec.layer_parameters, "layer_input_bytes": s * dec.h * act_bytes}
        for b in (1, 2):
            dec.forward_loss(1, b, s)
            out["replicated_bytes_bsz%d" % b], out["sharded_bytes_bsz%d" % b] = dec.saved
        print(json.dumps(out), flush=True)
    if a.parts:
        b, s = (int(x) for x in a.parts.split(":"))
        moe = json.loads(a.moe) if a.moe else None
        parts = Parts(dec, moe)
        line = lambda key, ms: print(json.dumps({"key": key, "ms": ms}), flush=True)
        line("layertype_0_layer_bsz%d_seq%d" % (b, s), median_ms(lambda: parts.layer(b, s), a.warmup, a.iters))
        for c in (int(x) for x in filter(None, a.cp_degrees.split(","))):
            line("layertype_0_ring_bsz%d_seq%d_cp%d" % (b, s, c), median_ms(lambda: parts.ring_step(b, s, c), a.warmup, a.iters))
        if moe:
            line("layertype_0_dense_bsz%d_seq%d" % (b, s), median_ms(lambda: parts.layer(b, s, experts=False), a.warmup, a.iters))
            # the tokens one expert sees at this batch with balanced routing (at least a GEMM's worth)
            tokens = max(64, b * s * moe["top_k"] // moe["experts"])
            line("layertype_0_expert_tokens%d" % tokens, median_ms(lambda: parts.expert(tokens), a.warmup, a.iters))


if __name__ == "__main__":
    sys.exit(main())
