package io.edgecl.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgecl.api.Session;
import io.edgecl.cl.ClContext;
import io.edgecl.export.OnnxExport;
import io.edgecl.graph.Plan;
import io.edgecl.io.HostTensor;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.profile.Stats;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * EdgeCL against ONNX Runtime (CPU execution provider) on the same network, weights and input, in
 * one process: the model is exported to ONNX by EdgeCL's exporter, ONNX Runtime runs that file,
 * EdgeCL runs its own plan on the default OpenCL device. Prints wall time per forward for both,
 * the ratio, and the largest difference between their logits.
 *
 * <pre>tools/bench-vs-onnxruntime.sh MODEL [--size S] [--batch B] [--iters N] [--threads T] [-w WEIGHTS]</pre>
 */
public final class OnnxRuntimeComparison {
    public static void main(String[] args) throws Exception {
        String name = null, weightsFile = null;
        int size = 0, batch = 1, iters = 30, threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "-w" -> weightsFile = args[++i];
                default -> name = args[i];
            }
        }
        if (name == null) {
            System.err.println("usage: MODEL [--size S] [--batch B] [--iters N] [--threads T] [-w WEIGHTS]");
            System.exit(2);
        }
        VisionModel model = Models.byName(name);
        int s = size > 0 ? size : model.preprocess().size();
        Weights w = weightsFile != null ? ModelWeights.load(Path.of(weightsFile), "auto") : Weights.synthetic(0L);
        HostTensor input = HostTensor.zeros(batch, 3, s, s);
        Random r = new Random(0);
        for (int i = 0; i < input.numel(); i++) input.data()[i] = (float) r.nextGaussian();

        byte[] onnx = OnnxExport.export(model.build(w, batch, s, s), name);
        Path file = Files.createTempFile("edgecl-" + name, ".onnx");
        Files.write(file, onnx);

        long[] ortNs = new long[iters];
        float[] ortLogits;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession ort = env.createSession(file.toString(), opts);
                    OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()),
                            new long[] {batch, 3, s, s})) {
                for (int i = 0; i < 5; i++) ort.run(Map.of("input", t)).close();
                for (int i = 0; i < iters; i++) {
                    long a = System.nanoTime();
                    try (OrtSession.Result res = ort.run(Map.of("input", t))) {
                        ortNs[i] = System.nanoTime() - a;
                    }
                }
                try (OrtSession.Result res = ort.run(Map.of("input", t))) {
                    float[][] l = (float[][]) res.get(0).getValue();
                    ortLogits = new float[l.length * l[0].length];
                    for (int b = 0; b < l.length; b++) System.arraycopy(l[b], 0, ortLogits, b * l[b].length, l[b].length);
                }
            }
        }

        long[] clNs = new long[iters];
        float[] clLogits;
        String device;
        try (Session session = Session.open(model, w, ClContext.open(null, null), true, Set.of())) {
            device = session.context().info().name();
            Plan plan = session.plan(batch, s, s);
            for (int i = 0; i < 5; i++) plan.run(input);
            for (int i = 0; i < iters; i++) {
                long a = System.nanoTime();
                plan.run(input);
                plan.read("logits");
                clNs[i] = System.nanoTime() - a;
            }
            clLogits = plan.read("logits").data();
        }
        Files.deleteIfExists(file);

        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < clLogits.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(clLogits[i] - ortLogits[i]));
            maxRef = Math.max(maxRef, Math.abs(ortLogits[i]));
        }
        Stats o = Stats.of(ortNs), c = Stats.of(clNs);
        System.out.printf(Locale.ROOT, "%s [%d, 3, %d, %d], %d forwards each, same weights and input%n", name, batch, s, s,
                iters);
        System.out.printf(Locale.ROOT, "  %-40s median %8.3f ms  min %8.3f ms%n", "ONNX Runtime CPU (" + threads + " threads)",
                o.medianMs(), o.minMs());
        System.out.printf(Locale.ROOT, "  %-40s median %8.3f ms  min %8.3f ms%n", "EdgeCL on " + device, c.medianMs(),
                c.minMs());
        System.out.printf(Locale.ROOT, "  EdgeCL / ONNX Runtime time: %.2fx (below 1 = EdgeCL faster); logits max|d| %.2g "
                + "(max|logit| %.2g)%n", c.medianMs() / o.medianMs(), maxDiff, maxRef);
        System.exit(0);
    }

    private OnnxRuntimeComparison() {}

}
