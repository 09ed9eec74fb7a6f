package studio.runner.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * The built-in smoke trainer (runner {@code train --engine djl}): a small decoder-only transformer trained on
 * synthetic tokens with DJL's PyTorch engine, on the GPU when libtorch has CUDA, else the CPU. It prints Galvatron's
 * log lines (anchors, per-iteration line, average), so the same parser turns it into the same events. A smoke test of
 * the whole path, not a distributed engine.
 */
@Command(name = "djl-trainer", mixinStandardHelpOptions = true)
public final class DjlTrainer implements Callable<Integer> {
    @Option(names = "--iterations", defaultValue = "20") int iterations;
    @Option(names = "--global-batch", defaultValue = "8") int batch;
    @Option(names = "--seq-length", defaultValue = "64") int seq;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--hidden", defaultValue = "64") int hidden;
    @Option(names = "--vocab", defaultValue = "128") int vocab;
    @Option(names = "--lr", defaultValue = "0.05") float lr;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--seed", defaultValue = "1") long seed;

    public static void main(String[] args) {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) System.setProperty("OPT_OUT_TRACKING", "true");
        System.exit(new CommandLine(new DjlTrainer()).execute(args));
    }

    @Override
    public Integer call() {
        Engine engine = Engine.getInstance();
        Device dev = switch (device) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> engine.defaultDevice();
        };
        System.out.println("Galvatron parallel config mode: [DJL smoke trainer, " + engine.getEngineName() + " " + engine.getVersion() + " on " + dev + "]");
        System.out.println("Creating Model...");
        Random rnd = new Random(seed);
        try (NDManager m = NDManager.newBaseManager(dev)) {
            float scale = (float) (1 / Math.sqrt(hidden));
            List<NDArray> params = new ArrayList<>();
            NDArray embed = param(m, rnd, new Shape(vocab, hidden), 0.1f, params);
            List<NDArray[]> blocks = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                blocks.add(new NDArray[] {param(m, rnd, new Shape(hidden, hidden), scale, params), param(m, rnd, new Shape(hidden, hidden), scale, params),
                        param(m, rnd, new Shape(hidden, hidden), scale, params), param(m, rnd, new Shape(hidden, hidden), scale, params),
                        param(m, rnd, new Shape(hidden, 4L * hidden), scale, params), param(m, rnd, new Shape(4L * hidden, hidden), scale / 2, params)});
            }
            NDArray head = param(m, rnd, new Shape(hidden, vocab), scale, params);
            float[] mask = new float[seq * seq];
            for (int i = 0; i < seq; i++) for (int j = i + 1; j < seq; j++) mask[i * seq + j] = -1e4f;
            NDArray causal = m.create(mask, new Shape(1, seq, seq));
            System.out.println("Creating Dataset...");
            System.out.println("Start training...");
            double total = 0;
            for (int it = 1; it <= iterations; it++) {
                // synthetic language: each sequence counts up from a random start, so the next token is learnable
                float[] in = new float[batch * seq];
                float[] target = new float[batch * seq];
                for (int b = 0; b < batch; b++) {
                    int start = rnd.nextInt(vocab);
                    for (int s = 0; s < seq; s++) {
                        in[b * seq + s] = (start + s) % vocab;
                        target[b * seq + s] = (start + s + 1) % vocab;
                    }
                }
                long t0 = System.nanoTime();
                double lossValue;
                double gradNorm = 0;
                try (NDManager step = m.newSubManager()) {
                    NDArray tokens = step.create(in, new Shape(batch, seq)).toType(DataType.INT64, false);
                    NDArray targets = step.create(target, new Shape(batch, seq)).toType(DataType.INT64, false);
                    NDArray loss;
                    try (GradientCollector gc = engine.newGradientCollector()) {
                        NDArray x = tokens.oneHot(vocab).matMul(embed);
                        for (NDArray[] w : blocks) {
                            NDArray q = x.matMul(w[0]);
                            NDArray k = x.matMul(w[1]);
                            NDArray v = x.matMul(w[2]);
                            NDArray att = q.matMul(k.transpose(0, 2, 1)).mul(scale).add(causal).softmax(-1);
                            x = x.add(att.matMul(v).matMul(w[3]));
                            x = x.add(x.matMul(w[4]).maximum(0f).matMul(w[5]));
                        }
                        NDArray logp = x.matMul(head).logSoftmax(-1);
                        loss = logp.mul(targets.oneHot(vocab)).sum(new int[] {2}).neg().mean();
                        gc.backward(loss);
                    }
                    lossValue = loss.getFloat();
                    for (NDArray p : params) gradNorm += p.getGradient().square().sum().getFloat();
                    // clip the global gradient norm to 1, as Galvatron's --clip-grad 1.0 does; a step whose gradients
                    // overflowed is skipped (as mixed-precision trainers skip one), so one bad batch cannot poison the weights
                    boolean finite = Double.isFinite(gradNorm);
                    float factor = (float) Math.min(1.0, 1.0 / Math.max(1e-12, Math.sqrt(gradNorm)));
                    for (NDArray p : params) {
                        NDArray g = p.getGradient();
                        if (finite) {
                            p.subi(g.mul(lr * factor));
                            g.subi(g);
                        } else {
                            g.set(new float[(int) g.size()]); // inf - inf would leave NaN behind
                        }
                    }
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                total += ms;
                System.out.printf(Locale.ROOT, "| Iteration: %6d | Consumed samples: %12d | Elapsed time per iteration (ms): %.1f | "
                        + "Learning rate: %e | Loss: %e | grad norm: %.3f |%n", it, (long) it * batch, ms, lr, lossValue, Math.sqrt(gradNorm));
            }
            System.out.printf(Locale.ROOT, "Average iteration time is: %.4f s%n", total / iterations / 1000);
        }
        return 0;
    }

    private static NDArray param(NDManager m, Random rnd, Shape shape, float std, List<NDArray> all) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * std;
        NDArray p = m.create(v, shape);
        p.setRequiresGradient(true);
        all.add(p);
        return p;
    }
}
