package io.edgecl.bench;

import io.edgecl.tensor.HostTensor;
import java.util.Random;

/**
 * The command line both ONNX Runtime comparisons take, and the seeded input both engines run:
 * MODEL [--size S] [--batch B] [--iters N] [--rounds R] [--threads T] [-w WEIGHTS] [--onnx FILE]
 * [--reuse-output] (each engine writes its output into storage made once: ORT's pinned output
 * tensors and EdgeCL's {@code Session.runInto}, each then copied into one float array).
 */
record ComparisonArgs(
        String name,
        String weights,
        String onnx,
        int size,
        int batch,
        int iters,
        int rounds,
        int threads,
        boolean reuseOutput) {
    /** Parses {@code args} with the given defaults of --iters and --rounds; exits 2 without a model. */
    static ComparisonArgs parse(String[] args, int iters, int rounds) {
        String name = null, weights = null, onnx = null;
        int size = 0, batch = 1, threads = Runtime.getRuntime().availableProcessors();
        boolean reuse = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "-w" -> weights = args[++i];
                case "--onnx" -> onnx = args[++i];
                case "--reuse-output" -> reuse = true;
                default -> name = args[i];
            }
        }
        if (name == null) {
            System.err.println("usage: MODEL [--size S] [--batch B] [--iters N] [--rounds R] [--threads T] "
                    + "[-w WEIGHTS] [--onnx FILE] [--reuse-output]");
            System.exit(2);
        }
        return new ComparisonArgs(name, weights, onnx, size, batch, iters, rounds, threads, reuse);
    }

    /** ONNX Runtime's options as both comparisons run it: {@code threads} intra-op threads, every optimisation. */
    static ai.onnxruntime.OrtSession.SessionOptions ortOptions(int threads) throws ai.onnxruntime.OrtException {
        ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    /** {@code input} as ONNX Runtime's tensor, over the same floats (made once, as a user would). */
    static ai.onnxruntime.OnnxTensor ortTensor(ai.onnxruntime.OrtEnvironment env, HostTensor input)
            throws ai.onnxruntime.OrtException {
        long[] shape = java.util.Arrays.stream(input.shape()).asLongStream().toArray();
        return ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(input.data()), shape);
    }

    /** The same Gaussian input for both engines, [batch, 3, s, s], seeded. */
    static HostTensor input(int batch, int s) {
        HostTensor input = HostTensor.zeros(batch, 3, s, s);
        Random r = new Random(0);
        for (int i = 0; i < input.numel(); i++) input.data()[i] = (float) r.nextGaussian();
        return input;
    }

    /**
     * Prints what both comparisons report after their headline: the per-round medians and the
     * per-round ratios, then the README table row: each engine's best round median, the median of
     * the per-round ratios (rounds adjacent in time meet the machine in the same state, where the
     * best of each may come from different minutes) and the outputs' largest difference.
     */
    static void printResult(String name, int s, String source, int batch, double[] ort, double[] cl, double maxDiff) {
        double o = java.util.Arrays.stream(ort).min().orElseThrow(),
                c = java.util.Arrays.stream(cl).min().orElseThrow();
        double[] ratio = new double[ort.length];
        for (int i = 0; i < ratio.length; i++) ratio[i] = cl[i] / ort[i];
        double[] sorted = ratio.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf(
                java.util.Locale.ROOT, "  per-round medians, ms: ONNX Runtime %s; EdgeCL %s%n", fmt(ort), fmt(cl));
        System.out.printf(
                java.util.Locale.ROOT,
                "  per-round EdgeCL / ORT: %s (median %.2f, quartiles %.2f-%.2f)%n",
                fmt(ratio),
                median,
                sorted[sorted.length / 4],
                sorted[Math.min(sorted.length - 1, 3 * sorted.length / 4)]);
        System.out.println("| model | batch | EdgeCL ms | ONNX Runtime ms | EdgeCL / ORT | max\\|Δ\\| |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf(
                java.util.Locale.ROOT,
                "| %s @%d (%s) | %d | %.2f | %.2f | %.2f | %.2g |%n",
                name,
                s,
                source,
                batch,
                c,
                o,
                median,
                maxDiff);
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append(b.length() > 0 ? " " : "").append(String.format(java.util.Locale.ROOT, "%.2f", x));
        return b.toString();
    }
}
