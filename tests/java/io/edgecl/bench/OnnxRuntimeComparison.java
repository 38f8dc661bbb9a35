package io.edgecl.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.export.OnnxExport;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.profile.Stats;
import io.edgecl.tensor.HostTensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * EdgeCL against ONNX Runtime (CPU execution provider) on the same network, weights and input, in
 * one process. ONNX Runtime runs either EdgeCL's own export of the model or, with {@code --onnx},
 * a given file (the upstream {@code torch.onnx} export of a golden case, with {@code -w} its
 * weights). EdgeCL runs its plan on the default OpenCL device. Both sides time the same work,
 * input in and logits out, and the engines alternate round by round so that a change of machine
 * load between blocks cannot decide the ratio. Prints a markdown row: model, batch, EdgeCL ms,
 * ONNX Runtime ms (best per-round median of each), ratio, max |Δlogit|.
 *
 * <pre>tools/bench-vs-onnxruntime.sh MODEL [--size S] [--batch B] [--iters N] [--rounds R] [--threads T]
 *     [-w WEIGHTS] [--onnx FILE]</pre>
 */
public final class OnnxRuntimeComparison {
    public static void main(String[] args) throws Exception {
        ComparisonArgs a0 = ComparisonArgs.parse(args, 20, 5);
        if (a0.reuseOutput()) {
            System.err.println("--reuse-output applies with --own-process only");
            System.exit(2);
        }
        String name = a0.name(), weightsFile = a0.weights(), onnxFile = a0.onnx();
        int size = a0.size(), batch = a0.batch(), iters = a0.iters(), rounds = a0.rounds(), threads = a0.threads();
        VisionModel model = Models.byName(name);
        int s = size > 0 ? size : model.preprocess().size();
        Weights w = weightsFile != null ? ModelWeights.load(Path.of(weightsFile), "auto") : Weights.synthetic(0L);
        HostTensor input = ComparisonArgs.input(batch, s);

        Path file;
        String source;
        if (onnxFile != null) {
            file = Path.of(onnxFile);
            source = "upstream export";
        } else {
            file = Files.createTempFile("edgecl-" + name, ".onnx");
            Files.write(file, OnnxExport.export(model.build(w, batch, s, s), name));
            file.toFile().deleteOnExit();
            source = "EdgeCL export";
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double[] ortMedians = new double[rounds], clMedians = new double[rounds];
        float[] ortLogits = null, clLogits = null;
        String device;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession ort = env.createSession(file.toString(), opts);
                    Session session = Session.open(model, w, SessionOptions.defaults())) {
                String inName = ort.getInputNames().iterator().next();
                device = session.device().name();
                session.prepare(batch, s, s);
                long[] shape = {batch, 3, s, s};
                for (int i = 0; i < 5; i++) {
                    ortLogits = ortForward(env, ort, inName, input, shape);
                    clLogits = clForward(session, input);
                }
                long[] ns = new long[iters];
                for (int round = 0; round < rounds; round++) {
                    // input in, logits out on both sides: ORT wraps the host array, EdgeCL uploads it
                    for (int i = 0; i < iters; i++) {
                        long a = System.nanoTime();
                        ortLogits = ortForward(env, ort, inName, input, shape);
                        ns[i] = System.nanoTime() - a;
                    }
                    ortMedians[round] = Stats.of(ns).medianMs();
                    for (int i = 0; i < iters; i++) {
                        long a = System.nanoTime();
                        clLogits = clForward(session, input);
                        ns[i] = System.nanoTime() - a;
                    }
                    clMedians[round] = Stats.of(ns).medianMs();
                }
            }
        }

        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < clLogits.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(clLogits[i] - ortLogits[i]));
            maxRef = Math.max(maxRef, Math.abs(ortLogits[i]));
        }
        System.out.printf(
                Locale.ROOT,
                "%s [%d, 3, %d, %d]: ONNX Runtime %s (CPU, %d threads, ONNX from the %s) vs EdgeCL "
                        + "on %s; %d rounds of %d forwards each, alternating%n",
                name,
                batch,
                s,
                s,
                OrtEnvironment.getEnvironment().getVersion(),
                threads,
                source,
                device,
                rounds,
                iters);
        ComparisonArgs.printResult(name, s, source, batch, ortMedians, clMedians, maxDiff);
        System.exit(0);
    }

    private static float[] ortForward(OrtEnvironment env, OrtSession ort, String inName, HostTensor input, long[] shape)
            throws Exception {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), shape);
                OrtSession.Result res = ort.run(Map.of(inName, t))) {
            // logits [N, classes] or a segmenter's dense scores: read whatever the rank
            java.nio.FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static float[] clForward(Session session, HostTensor input) {
        return session.run(input).get(session.model().primaryOutput()).data();
    }

    private OnnxRuntimeComparison() {}
}
