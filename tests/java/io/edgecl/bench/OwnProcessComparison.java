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
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * EdgeCL against ONNX Runtime with each engine in a process of its own, as users run them: two
 * thread pools in one process (PoCL's workers and ORT's spinning intra-op threads) slow ORT
 * down. One child JVM per engine builds the same seeded input once (ORT's tensor too, as a user
 * would) and warms up; then the two take turns, a burst of {@code iters} forwards each (input in,
 * the model's primary output out as floats), the order alternating round by round, the idle one
 * blocked on its pipe. A burst's first forward is left out (the other engine's threads may still
 * be winding down), and each burst starts 50 ms after the last ended. Round by round the two
 * engines meet the machine in the same state: on a machine whose speed drifts by tens of percent
 * within minutes, the ratio of adjacent bursts is steady where separate runs are not. The figures
 * are each engine's best burst median and the median of the per-round ratios; the outputs of the
 * two engines are compared. By default each forward returns a new output array, as both
 * engines' plain {@code run} calls do; with {@code --reuse-output} each engine writes into
 * storage it was given once (ORT's pinned output tensors, EdgeCL's {@code Session.runInto}),
 * which removes the allocation of a large output (22 MB for a segmenter at 512×512) from the loop.
 *
 * <pre>tools/bench-vs-onnxruntime.sh --own-process MODEL [--size S] [--batch B] [--iters N] [--rounds R]
 *     [--threads T] [-w WEIGHTS] [--onnx FILE] [--reuse-output]</pre>
 */
public final class OwnProcessComparison {
    private OwnProcessComparison() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        ComparisonArgs a0 = ComparisonArgs.parse(args, 20, 15);
        String name = a0.name(), weightsFile = a0.weights(), onnxFile = a0.onnx();
        int size = a0.size(), batch = a0.batch(), iters = a0.iters(), rounds = a0.rounds(), threads = a0.threads();
        VisionModel model = Models.byName(name);
        int s = size > 0 ? size : model.preprocess().size();
        String source = "upstream export";
        if (onnxFile == null) {
            onnxFile = export(model, weightsFile, batch, s).toString();
            source = "EdgeCL export";
        }
        Path ortOut = Files.createTempFile("ort", ".out"), clOut = Files.createTempFile("edgecl", ".out");
        ortOut.toFile().deleteOnExit();
        clOut.toFile().deleteOnExit();
        double[] ort = new double[rounds], cl = new double[rounds];
        String common = name + " " + batch + " " + s + " " + iters + " " + threads + " "
                + (weightsFile == null ? "-" : weightsFile) + " " + onnxFile + " "
                + (a0.reuseOutput() ? "reuse" : "fresh");
        String device, workers;
        try (Child ortChild = new Child("ort " + common + " " + ortOut);
                Child clChild = new Child("edgecl " + common + " " + clOut)) {
            device = clChild.header("device=");
            workers = clChild.header("workers=");
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    boolean runOrt = (r + k) % 2 == 0;
                    // the other engine's threads wind down (ORT's spin, PoCL's polling) before this burst
                    Thread.sleep(50);
                    double ms = (runOrt ? ortChild : clChild).burst(iters);
                    if (runOrt) ort[r] = ms;
                    else cl[r] = ms;
                }
            }
        }
        float[] a = read(ortOut), b = read(clOut);
        double maxDiff = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        System.out.printf(
                Locale.ROOT,
                "%s [%d, 3, %d, %d]: ONNX Runtime %s (CPU, %d threads, ONNX from the %s) and EdgeCL on %s, each in its"
                        + " own process (%s); %d rounds of a burst of %d forwards each, in turn; %s%n",
                name,
                batch,
                s,
                s,
                OrtEnvironment.getEnvironment().getVersion(),
                threads,
                source,
                device,
                workers,
                rounds,
                iters,
                a0.reuseOutput() ? "outputs into storage made once" : "a new output array per forward");
        ComparisonArgs.printResult(name, s, source, batch, ort, cl, a.length == b.length ? maxDiff : Double.NaN);
        System.exit(0);
    }

    /**
     * {@code model} with the given weights (seeded synthetic ones without a file) in EdgeCL's
     * ONNX export, in a temporary file removed at exit.
     */
    static Path export(VisionModel model, String weightsFile, int batch, int s) throws Exception {
        Weights w = weightsFile != null ? ModelWeights.load(Path.of(weightsFile), "auto") : Weights.synthetic(0L);
        Path f = Files.createTempFile("edgecl-" + model.name(), ".onnx");
        Files.write(f, OnnxExport.export(model.build(w, batch, s, s), model.name()));
        f.toFile().deleteOnExit();
        return f;
    }

    /**
     * One engine's child JVM with this classpath: it loads and warms up, then runs a burst of
     * forwards per request on its standard input ("run N"), and writes its last output and exits
     * on "quit".
     */
    private static final class Child implements AutoCloseable {
        private final Process p;
        private final BufferedReader in;
        private final java.io.PrintWriter out;
        private final List<String> header = new ArrayList<>();
        private final String what;

        Child(String args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // a heap of fixed size, touched once at start: a growing heap's first touch of
                    // its pages, paid by whichever engine's arrays land there first, costs 60 ms per
                    // 22 MB output on a virtual machine that backs memory lazily
                    "-Xms1g",
                    "-Xmx1g",
                    "-XX:+AlwaysPreTouch",
                    "-cp",
                    System.getProperty("java.class.path"),
                    OwnProcessComparison.class.getName(),
                    "--child"));
            cmd.addAll(List.of(args.split(" ")));
            what = String.join(" ", cmd);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            // EdgeCL as ./edgecl runs it: PoCL's workers poll (tools/pocl-spin.sh, which exports the path)
            String spin = System.getenv("EDGECL_POCL_SPIN_LIB");
            if (args.startsWith("edgecl ") && spin != null && !spin.isEmpty()) {
                String preload = pb.environment().get("LD_PRELOAD");
                pb.environment().put("LD_PRELOAD", preload == null || preload.isEmpty() ? spin : preload + ":" + spin);
            }
            p = pb.start();
            in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            out = new java.io.PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
            for (String l; !(l = readLine()).equals("ready"); ) header.add(l);
        }

        private String readLine() throws Exception {
            String l = in.readLine();
            if (l == null) throw new IllegalStateException("child ended early (exit " + p.waitFor() + "): " + what);
            return l;
        }

        String header(String key) {
            return line(header, key);
        }

        /** The median of a burst of {@code n} forwards, in milliseconds. */
        double burst(int n) throws Exception {
            out.println("run " + n);
            String l = readLine();
            if (!l.startsWith("median_ms=")) throw new IllegalStateException("child said '" + l + "': " + what);
            return Double.parseDouble(l.substring("median_ms=".length()));
        }

        @Override
        public void close() throws Exception {
            out.println("quit");
            if (p.waitFor() != 0) throw new IllegalStateException("child failed: " + what);
        }
    }

    private static String line(List<String> lines, String key) {
        for (String l : lines) if (l.startsWith(key)) return l.substring(key.length());
        throw new IllegalStateException("no " + key + " in " + lines);
    }

    /**
     * A child: ENGINE NAME BATCH SIZE ITERS THREADS WEIGHTS ONNX fresh|reuse DUMP. It prints what
     * it runs on, warms up, says "ready", then serves bursts ({@link #serve}).
     */
    private static void child(String[] a) throws Exception {
        String engine = a[0], name = a[1], weights = a[6], onnx = a[7];
        int batch = Integer.parseInt(a[2]), s = Integer.parseInt(a[3]), iters = Integer.parseInt(a[4]);
        int threads = Integer.parseInt(a[5]);
        boolean reuse = a[8].equals("reuse");
        Path dump = Path.of(a[9]);
        HostTensor input = ComparisonArgs.input(batch, s);
        // as many warm-up forwards as a burst has, and at least 30: the JIT compiles the host code
        int warmup = Math.max(30, iters);
        if (engine.equals("ort")) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions opts = ComparisonArgs.ortOptions(threads)) {
                try (OrtSession ort = env.createSession(onnx, opts);
                        OnnxTensor t = ComparisonArgs.ortTensor(env, input)) {
                    String in = ort.getInputNames().iterator().next();
                    Map<String, OnnxTensor> pinned = reuse ? pinnedOutputs(env, ort) : Map.of();
                    // the pinned tensor's own direct buffer (getFloatBuffer would copy it)
                    FloatBuffer first = reuse
                            ? (FloatBuffer)
                                    pinned.get(ort.getOutputNames().iterator().next())
                                            .getBufferRef()
                                            .orElseThrow()
                            : null;
                    float[] kept = reuse ? new float[first.capacity()] : null;
                    try {
                        System.out.println("device=CPU");
                        serve(
                                () -> {
                                    if (reuse) {
                                        try (OrtSession.Result r = ort.run(Map.of(in, t), pinned)) {
                                            first.rewind();
                                            first.get(kept);
                                        }
                                        return kept;
                                    }
                                    try (OrtSession.Result r = ort.run(Map.of(in, t))) {
                                        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                                        float[] out = new float[fb.remaining()];
                                        fb.get(out);
                                        return out;
                                    }
                                },
                                warmup,
                                dump);
                    } finally {
                        for (OnnxTensor p : pinned.values()) p.close();
                    }
                }
            }
        } else {
            VisionModel model = Models.byName(name);
            Weights w = weights.equals("-") ? Weights.synthetic(0L) : ModelWeights.load(Path.of(weights), "auto");
            try (Session session = Session.open(model, w, SessionOptions.defaults())) {
                session.prepare(batch, s, s);
                System.out.println("device=" + session.device().name());
                System.out.println("workers="
                        + session.device().poclWorkerPollMicros().stream()
                                .mapToObj(io.edgecl.cli.BenchCommand::poclWorkers)
                                .findFirst()
                                .orElse("not PoCL's CPU device"));
                float[] kept =
                        reuse ? session.run(input).get(model.primaryOutput()).data() : null;
                serve(
                        () -> reuse
                                ? session.runInto(input, kept)
                                : session.run(input).get(model.primaryOutput()).data(),
                        warmup,
                        dump);
            }
        }
    }

    /**
     * Runs {@code warmup} forwards, says "ready", then for each "run N" on standard input times a
     * burst of N forwards after one left out and prints their median; on "quit" (or the end of
     * input) writes the last output to {@code dump}.
     */
    private static void serve(java.util.concurrent.Callable<float[]> forward, int warmup, Path dump) throws Exception {
        float[] out = null;
        for (int i = 0; i < warmup; i++) out = forward.call();
        System.out.println("ready");
        System.out.flush();
        BufferedReader cmds = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String l; (l = cmds.readLine()) != null && !l.equals("quit"); ) {
            int n = Integer.parseInt(l.substring("run ".length()).trim());
            long[] ns = new long[n];
            out = forward.call();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                out = forward.call();
                ns[i] = System.nanoTime() - t0;
            }
            System.out.println("median_ms=" + Stats.of(ns).medianMs());
            System.out.flush();
        }
        try (DataOutputStream d = new DataOutputStream(Files.newOutputStream(dump))) {
            d.writeInt(out.length);
            for (float v : out) d.writeFloat(v);
        }
    }

    /** One output tensor per output of {@code ort}, over direct buffers made once. */
    private static Map<String, OnnxTensor> pinnedOutputs(OrtEnvironment env, OrtSession ort) throws Exception {
        Map<String, OnnxTensor> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, ai.onnxruntime.NodeInfo> e : ort.getOutputInfo().entrySet()) {
            long[] shape = ((ai.onnxruntime.TensorInfo) e.getValue().getInfo()).getShape();
            long n = 1;
            for (long d : shape) n *= d;
            FloatBuffer b = java.nio.ByteBuffer.allocateDirect((int) (4 * n))
                    .order(java.nio.ByteOrder.nativeOrder())
                    .asFloatBuffer();
            out.put(e.getKey(), OnnxTensor.createTensor(env, b, shape));
        }
        return out;
    }

    private static float[] read(Path f) throws Exception {
        try (DataInputStream d = new DataInputStream(Files.newInputStream(f))) {
            float[] v = new float[d.readInt()];
            for (int i = 0; i < v.length; i++) v[i] = d.readFloat();
            return v;
        }
    }
}
