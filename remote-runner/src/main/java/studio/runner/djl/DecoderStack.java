package studio.runner.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import studio.engine.model.ModelDescription;
import studio.engine.model.ModelFamily;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole decoder model of a real model's shape (embedding, {@code layers} decoder layers, final norm, LM head and
 * cross-entropy) built from DJL NDArray ops on libtorch, forward only, for profiling. Llama-family layers are RMSNorm,
 * grouped-query attention with rotary positions and SwiGLU; GPT layers are LayerNorm, attention with biases, GeLU MLP
 * and dropout, as in profiler-runtime.md §2.4. Attention is composed (DJL has no fused kernel), so its time grows as
 * s² in memory traffic; the activation count below follows what the flash-attention layer of the runtime keeps.
 */
public final class DecoderStack {
    /** Bytes of the tensors backward keeps for one layer: replicated across TP ranks, and split by TP. */
    public record SavedBytes(long replicated, long sharded) {
        public long total() { return replicated + sharded; }
    }

    private final NDManager manager;
    private final DataType dtype;
    private final int activationBytes;
    private final boolean llama;
    private final int hidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int ffn;
    private final int vocab;
    private final NDArray embedding;
    private final List<NDArray[]> layers = new ArrayList<>();
    private final NDArray[] finalNorm;
    private final NDArray head;
    private long layerParameters;
    private SavedBytes lastSaved = new SavedBytes(0, 0);

    /**
     * @param dtype           what the ops compute in (bf16/fp16 on a GPU; fp32 on CPUs, where libtorch's bf16 GEMMs are slow)
     * @param activationBytes bytes an activation element takes in the run being profiled (2 for bf16/fp16)
     */
    public DecoderStack(NDManager manager, ModelDescription model, int layerCount, DataType dtype, int activationBytes) {
        this.manager = manager;
        this.dtype = dtype;
        this.activationBytes = activationBytes;
        this.llama = model.family() == ModelFamily.LLAMA_HF;
        if (!llama && model.family() != ModelFamily.GPT_HF) {
            throw new IllegalArgumentException("the model profiler builds llama- and gpt-family decoders; " + model.name() + " is "
                    + model.family().directory());
        }
        this.hidden = model.hiddenSize();
        this.heads = model.attentionHeads() > 0 ? model.attentionHeads() : Math.max(1, hidden / 64);
        this.kvHeads = model.keyValueHeads() > 0 ? model.keyValueHeads() : heads;
        if (hidden % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + ", " + heads + " heads and " + kvHeads
                    + " key/value heads do not divide evenly");
        }
        this.headDim = hidden / heads;
        this.ffn = model.ffnHiddenSize() > 0 ? model.ffnHiddenSize() : 4 * hidden;
        this.vocab = model.vocabSize() > 0 ? model.vocabSize() : 32000;
        float std = (float) (1 / Math.sqrt(hidden));
        embedding = weight(new Shape(vocab, hidden), 0.02f);
        for (int l = 0; l < layerCount; l++) layers.add(newLayer(std));
        finalNorm = llama ? new NDArray[] {ones(hidden)} : new NDArray[] {ones(hidden), zeros(hidden)};
        head = weight(new Shape(hidden, vocab), std);
    }

    /** Parameters of one decoder layer, counted from its arrays. */
    public long layerParameters() { return layerParameters; }

    /** Bytes of the tensors the first layer's backward would keep in the last forward. */
    public SavedBytes lastSaved() { return lastSaved; }

    /**
     * One forward over the first {@code layerCount} layers on random tokens, returning the mean loss; reading it back
     * is what makes the wall clock honest (DJL has no synchronise call).
     */
    public float forwardLoss(int layerCount, int batch, int seq, NDArray tokens, NDArray targets) {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = embedding.get(tokens.flatten()).reshape(batch, seq, hidden);
            x.attach(step); // what follows is computed from x, so it all belongs to (and is freed with) this step
            if (!llama) x = dropout(x);
            NDArray causal = causalMask(step, seq);
            NDArray[] rope = llama ? rope(step, seq) : null;
            for (int l = 0; l < layerCount; l++) {
                x = llama ? llamaLayer(x, layers.get(l), causal, rope, l == 0) : gptLayer(x, layers.get(l), causal, l == 0);
            }
            x = llama ? rmsNorm(x, finalNorm[0]) : layerNorm(x, finalNorm[0], finalNorm[1]);
            NDArray logp = x.matMul(head).toType(DataType.FLOAT32, false).logSoftmax(2);
            NDArray picked = logp.gather(targets.reshape(batch, seq, 1), 2);
            float loss = picked.neg().mean().getFloat();
            return loss;
        }
    }

    /** Random token ids in [0, vocab). */
    public NDArray randomTokens(int batch, int seq) {
        return manager.randomInteger(0, vocab, new Shape(batch, seq), DataType.INT64);
    }

    private NDArray llamaLayer(NDArray x, NDArray[] w, NDArray causal, NDArray[] rope, boolean count) {
        int b = (int) x.getShape().get(0);
        int s = (int) x.getShape().get(1);
        NDArray n1 = rmsNorm(x, w[0]);
        NDList qkv = n1.matMul(w[1]).split(new long[] {(long) heads * headDim, (long) (heads + kvHeads) * headDim}, 2);
        NDArray q = applyRope(qkv.get(0).reshape(b, s, heads, headDim), rope);
        NDArray k = applyRope(qkv.get(1).reshape(b, s, kvHeads, headDim), rope);
        NDArray v = qkv.get(2).reshape(b, s, kvHeads, headDim);
        NDArray o = attention(q, k, v, causal, b, s);
        NDArray x2 = x.add(o.matMul(w[2]));
        NDArray n2 = rmsNorm(x2, w[3]);
        NDArray gu = n2.matMul(w[4]);
        NDList parts = gu.split(2, 2);
        NDArray act = parts.get(0).mul(Activation.sigmoid(parts.get(0))).mul(parts.get(1));
        NDArray out = x2.add(act.matMul(w[5]));
        if (count) {
            // kept for backward: norm inputs and outputs (replicated without SP); q, k, v, attention output, gate/up and
            // the SwiGLU output (split by TP)
            lastSaved = new SavedBytes(bytes(x, n1, x2, n2), bytes(q, k, v, o, gu, act));
        }
        return out;
    }

    private NDArray gptLayer(NDArray x, NDArray[] w, NDArray causal, boolean count) {
        int b = (int) x.getShape().get(0);
        int s = (int) x.getShape().get(1);
        NDArray n1 = layerNorm(x, w[0], w[1]);
        NDList qkv = n1.matMul(w[2]).add(w[3]).split(3, 2);
        NDArray q = qkv.get(0).reshape(b, s, heads, headDim);
        NDArray k = qkv.get(1).reshape(b, s, heads, headDim);
        NDArray v = qkv.get(2).reshape(b, s, heads, headDim);
        NDArray o = attention(q, k, v, causal, b, s);
        NDArray x2 = x.add(dropout(o.matMul(w[4]).add(w[5])));
        NDArray n2 = layerNorm(x2, w[6], w[7]);
        NDArray fc1 = n2.matMul(w[8]).add(w[9]);
        NDArray act = Activation.gelu(fc1);
        NDArray out = x2.add(dropout(act.matMul(w[10]).add(w[11])));
        if (count) {
            // the two dropout masks take a byte an element
            long masks = 2L * x.size();
            lastSaved = new SavedBytes(bytes(x, n1, x2, n2) + masks, bytes(q, k, v, o, fc1, act));
        }
        return out;
    }

    private NDArray attention(NDArray q, NDArray k, NDArray v, NDArray causal, int b, int s) {
        int group = heads / kvHeads;
        if (group > 1) {
            k = k.repeat(2, group);
            v = v.repeat(2, group);
        }
        NDArray qt = q.transpose(0, 2, 1, 3);
        NDArray kt = k.transpose(0, 2, 3, 1);
        NDArray vt = v.transpose(0, 2, 1, 3);
        NDArray p = qt.matMul(kt).mul(1 / Math.sqrt(headDim)).add(causal).softmax(3);
        return p.matMul(vt).transpose(0, 2, 1, 3).reshape(b, s, (long) heads * headDim);
    }

    private NDArray[] rope(NDManager m, int seq) {
        int half = headDim / 2;
        float[] cos = new float[seq * headDim];
        float[] sin = new float[seq * headDim];
        for (int p = 0; p < seq; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p / Math.pow(10000, 2.0 * i / headDim); // Galvatron uses base 10000 for every llama-family model
                cos[p * headDim + i] = cos[p * headDim + i + half] = (float) Math.cos(angle);
                sin[p * headDim + i] = sin[p * headDim + i + half] = (float) Math.sin(angle);
            }
        }
        return new NDArray[] {m.create(cos, new Shape(1, seq, 1, headDim)).toType(dtype, false),
                m.create(sin, new Shape(1, seq, 1, headDim)).toType(dtype, false)};
    }

    private NDArray applyRope(NDArray t, NDArray[] rope) {
        NDList halves = t.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return t.mul(rope[0]).add(rotated.mul(rope[1]));
    }

    private NDArray causalMask(NDManager m, int seq) {
        float[] mask = new float[seq * seq];
        for (int i = 0; i < seq; i++) for (int j = i + 1; j < seq; j++) mask[i * seq + j] = -1e4f;
        return m.create(mask, new Shape(1, 1, seq, seq)).toType(dtype, false);
    }

    private NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray rms = x.square().mean(new int[] {2}, true).add(1e-6).sqrt();
        return x.div(rms).mul(w);
    }

    private static NDArray layerNorm(NDArray x, NDArray w, NDArray bias) {
        NDArray mean = x.mean(new int[] {2}, true);
        NDArray centered = x.sub(mean);
        NDArray var = centered.square().mean(new int[] {2}, true);
        return centered.div(var.add(1e-5).sqrt()).mul(w).add(bias);
    }

    private static NDArray dropout(NDArray x) {
        return Dropout.dropout(x, 0.1f, true).singletonOrThrow();
    }

    private long bytes(NDArray... arrays) {
        long n = 0;
        for (NDArray a : arrays) n += a.size() * activationBytes;
        return n;
    }

    private NDArray[] newLayer(float std) {
        NDArray[] w;
        if (llama) {
            long qkv = (long) (heads + 2 * kvHeads) * headDim;
            w = new NDArray[] {ones(hidden), weight(new Shape(hidden, qkv), std), weight(new Shape(hidden, hidden), std),
                    ones(hidden), weight(new Shape(hidden, 2L * ffn), std), weight(new Shape(ffn, hidden), (float) (1 / Math.sqrt(ffn)))};
        } else {
            w = new NDArray[] {ones(hidden), zeros(hidden), weight(new Shape(hidden, 3L * hidden), std), zeros(3 * hidden),
                    weight(new Shape(hidden, hidden), std), zeros(hidden), ones(hidden), zeros(hidden),
                    weight(new Shape(hidden, ffn), std), zeros(ffn), weight(new Shape(ffn, hidden), (float) (1 / Math.sqrt(ffn))), zeros(hidden)};
        }
        long n = 0;
        for (NDArray a : w) n += a.size();
        layerParameters = n;
        return w;
    }

    private NDArray weight(Shape shape, float std) {
        return manager.randomNormal(0, std, shape, DataType.FLOAT32).toType(dtype, false);
    }

    private NDArray ones(int n) {
        return manager.ones(new Shape(n), dtype);
    }

    private NDArray zeros(int n) {
        return manager.zeros(new Shape(n), dtype);
    }

    public NDManager manager() { return manager; }
}
