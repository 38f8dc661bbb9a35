package io.edgecl.api;

import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OpSpec;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.Act;
import io.edgecl.ops.GemmTuner;
import io.edgecl.ops.KernelChoices;
import io.edgecl.ops.KernelFamily;
import io.edgecl.ops.Tuning;
import io.edgecl.ops.TuningKey;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Tunes a model's kernels for one device and keeps a choice only when the whole forward gets
 * faster beyond the noise.
 *
 * <ol>
 *   <li>GEMM: every GEMM shape of the model is timed with each candidate (device time from
 *       events, with the op's activation), the fastest stored per shape; then the forward with
 *       the new choices is compared with the forward before them.</li>
 *   <li>Every other kernel family the model uses (convolution, depthwise, depthwise +
 *       LayerNorm, LayerNorm, attention, channel attention, cascade): each variant is forced on
 *       all of the family's ops and the whole forward compared with the current best.</li>
 * </ol>
 *
 * A comparison runs the two forwards in alternating rounds (A B, then B A, ...), five forwards
 * each, and the challenger wins only when its median is faster by {@link #MIN_GAIN} or by twice
 * the noise floor, whichever is more, and it is faster in at least {@link #MIN_WINS} of the
 * rounds. The noise floor is measured first: the difference between two sessions of the same
 * choices (buffer placement alone moves a forward by a few per cent on a CPU runtime). A variant that launches exactly what already
 * runs is not measured. A losing GEMM set restores the previous entries; a winning family variant
 * is stored per op shape (device and driver by file, precision, family and shape by key). Tuning
 * cannot make a model slower beyond the noise of the comparison.
 */
public final class Tuner {
    /** A forward must be this much faster (relative median) for a choice to stay. */
    public static final double MIN_GAIN = 0.02;

    /** ... and faster in at least this share of the paired rounds. */
    public static final double MIN_WINS = 0.75;

    private Tuner() {}

    /** One GEMM shape: M × N × K, the default's and the winner's kernel time. */
    public record ShapeResult(int m, int n, int k, double defaultUs, double bestUs, String best) {}

    /**
     * One variant of a kernel family tried on the whole forward: the current best and the
     * variant's forward (device ms, median of the rounds' medians), its wins out of the rounds,
     * and whether it became the choice.
     */
    public record VariantResult(
            String family,
            String variant,
            int ops,
            double currentMs,
            double variantMs,
            int wins,
            int rounds,
            boolean kept) {}

    /**
     * The outcome: per GEMM shape, the forward's device time before and after the GEMM choices,
     * whether they were kept, the noise floor (relative difference of two sessions with the same
     * choices) and the gain a family variant needed, every family variant tried (rounds 0: the
     * variant is what already runs), the forward at the start and at the end, and the device's
     * tuning file.
     */
    public record Report(
            String device,
            List<ShapeResult> shapes,
            double beforeMs,
            double afterMs,
            boolean kept,
            double noise,
            double requiredGain,
            List<VariantResult> variants,
            double startMs,
            double endMs,
            Path file) {}

    /** Tunes {@code model} at [batch, 3, size, size] on the options' device; {@code progress} sees each result. */
    public static Report tune(
            VisionModel model,
            SessionOptions options,
            int batch,
            int size,
            int reps,
            int rounds,
            Consumer<Object> progress) {
        return tune(model, options, batch, size, reps, rounds, progress, null);
    }

    /**
     * As {@link #tune(VisionModel, SessionOptions, int, int, int, int, Consumer)}, with
     * {@code familiesStart} run once between the GEMM shapes and the kernel families.
     */
    public static Report tune(
            VisionModel model,
            SessionOptions options,
            int batch,
            int size,
            int reps,
            int rounds,
            Consumer<Object> progress,
            Runnable familiesStart) {
        if (batch <= 0 || reps <= 0 || rounds <= 0) {
            throw new io.edgecl.EdgeClException("batch, reps and rounds must be positive");
        }
        Device d = options.device() != null
                ? options.device()
                : options.autoPrecision()
                        ? Device.openAuto(options.deviceSpec(), options.binding(), null)
                        : Device.open(options.deviceSpec(), options.binding(), options.precision());
        try (Run run =
                new Run(model, options.withDevice(d), d, batch, size, rounds, progress != null ? progress : x -> {})) {
            run.gemms(reps);
            if (familiesStart != null) familiesStart.run();
            run.families();
            // one locked replace of the device's file, with every kept choice: another process
            // reads the choices before this run or after it, never half of them
            Tuning.storeAll(d.ctx, run.kept);
            return new Report(
                    d.name(),
                    run.shapes,
                    run.beforeMs,
                    run.afterMs,
                    run.gemmsKept,
                    run.noise,
                    run.gain,
                    run.variants,
                    run.startMs,
                    run.currentMs,
                    Tuning.file(d.ctx.info()));
        } finally {
            if (options.device() == null) d.close();
        }
    }

    /**
     * One tuning run: the choices measured so far live in {@link #overlay} (the device's stored
     * choices, then the ones this run kept), which its sessions see instead of the file; {@link
     * #kept} is what the run saves at the end.
     */
    private static final class Run implements AutoCloseable {
        final VisionModel model;
        final SessionOptions options;
        final Device d;
        final int batch, size, rounds;
        final Consumer<Object> sink;
        final HostTensor input;
        final Map<String, String> overlay;
        final Map<String, String> kept = new LinkedHashMap<>();
        final List<ShapeResult> shapes = new ArrayList<>();
        final List<VariantResult> variants = new ArrayList<>();
        Session best;
        Graph graph;
        double noise, gain, startMs, beforeMs, afterMs, currentMs;
        boolean gemmsKept;

        Run(
                VisionModel model,
                SessionOptions options,
                Device d,
                int batch,
                int size,
                int rounds,
                Consumer<Object> sink) {
            this.model = model;
            this.options = options;
            this.d = d;
            // one forward's problem: [batch, 3, size, size], compared over this many alternating rounds
            this.batch = batch;
            this.size = size;
            this.input = HostTensor.zeros(batch, 3, size, size);
            this.rounds = rounds;
            this.sink = sink;
            this.overlay = new LinkedHashMap<>(Tuning.snapshot(d.ctx.info()));
            best = open(overlay);
            graph = best.graph(batch, size, size);
            // the noise floor: the forward against a second session of the same choices
            try (Session twin = open(overlay)) {
                Comparison self = compare(best, twin, input, rounds);
                noise = Math.abs(self.bMs - self.aMs) / self.aMs;
            }
            gain = Math.max(MIN_GAIN, 2 * noise);
        }

        /** A prepared session that sees {@code tuned} as the device's tuned choices. */
        Session open(Map<String, String> tuned) {
            Session s = Session.open(model, Weights.synthetic(0L), options.withTunedOverlay(tuned));
            try {
                s.prepare(batch, size, size);
                return s;
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        }

        /** Each GEMM shape's fastest kernel, then the forward with all of them against the forward before. */
        void gemms(int reps) {
            Map<List<Integer>, Act> problems = new LinkedHashMap<>();
            for (Node n : graph.nodes()) {
                if (n.op() instanceof GemmOp gm) {
                    problems.putIfAbsent(
                            List.of(
                                    n.inputs().get(0).rows(),
                                    n.output().c(),
                                    n.inputs().get(0).c()),
                            gm.act());
                }
            }
            Map<String, String> found = new LinkedHashMap<>();
            KernelChoices before = Session.kernelChoices(d.ctx, options.withTunedOverlay(overlay));
            for (Map.Entry<List<Integer>, Act> e : problems.entrySet()) {
                int m = e.getKey().get(0), n = e.getKey().get(1), k = e.getKey().get(2);
                GemmTuner.Result r = GemmTuner.tune(d.ctx, before.at(d.precision(), ""), m, n, k, e.getValue(), reps);
                found.put(TuningKey.gemm(d.precision(), m, n, k).toString(), KernelFamily.GEMM.format(r.best()));
                ShapeResult sr = new ShapeResult(
                        m,
                        n,
                        k,
                        r.beforeNanos() / 1e3,
                        r.bestNanos() / 1e3,
                        r.best().toString());
                shapes.add(sr);
                sink.accept(sr);
            }
            Map<String, String> trial = new LinkedHashMap<>(overlay);
            trial.putAll(found);
            Session after = open(trial);
            Comparison c = compare(best, after, input, rounds);
            startMs = beforeMs = c.aMs;
            afterMs = c.bMs;
            gemmsKept = c.bWins(gain);
            if (gemmsKept) {
                keep(found, after);
            } else {
                after.close();
            }
            currentMs = gemmsKept ? afterMs : beforeMs;
        }

        /** Every other family's candidates, each forced on all of the family's ops, on the whole forward. */
        void families() {
            List<String> current = best.launchSignature(batch, size, size);
            for (KernelFamily<?> family : KernelFamily.ALL) {
                if (family == KernelFamily.GEMM) continue;
                Set<Class<? extends OpSpec>> ops = SelfTest.affected(family);
                Set<String> opShapes = new LinkedHashSet<>();
                for (Node n : graph.nodes()) if (ops.contains(n.op().getClass())) opShapes.add(n.tuningShape());
                if (opShapes.isEmpty()) continue;
                for (Object candidate : family.candidates()) {
                    String value = family.format(candidate);
                    Map<String, String> found = new LinkedHashMap<>();
                    for (String shape : opShapes)
                        found.put(new TuningKey(family, d.precision(), shape).toString(), value);
                    Map<String, String> trial = new LinkedHashMap<>(overlay);
                    trial.putAll(found);
                    Session s = open(trial);
                    List<String> sig = s.launchSignature(batch, size, size);
                    if (sig.equals(current)) {
                        // the candidate is what already runs: nothing to measure
                        s.close();
                        report(new VariantResult(
                                family.name(), value, opShapes.size(), currentMs, currentMs, 0, 0, false));
                        continue;
                    }
                    Comparison cv = compare(best, s, input, rounds);
                    boolean win = cv.bWins(gain);
                    report(new VariantResult(
                            family.name(), value, opShapes.size(), cv.aMs, cv.bMs, cv.wins, rounds, win));
                    if (win) {
                        keep(found, s);
                        current = sig;
                        currentMs = cv.bMs;
                    } else {
                        s.close();
                    }
                }
            }
        }

        private void keep(Map<String, String> found, Session faster) {
            overlay.putAll(found);
            kept.putAll(found);
            best.close();
            best = faster;
        }

        private void report(VariantResult vr) {
            variants.add(vr);
            sink.accept(vr);
        }

        @Override
        public void close() {
            if (best != null) best.close();
        }
    }

    /** Two forwards compared: medians of the rounds' medians (ms) and the rounds where b was faster. */
    record Comparison(double aMs, double bMs, int wins, int rounds) {
        boolean bWins() {
            return bWins(MIN_GAIN);
        }

        boolean bWins(double gain) {
            return bMs < aMs * (1 - gain) && wins >= Math.ceil(MIN_WINS * rounds);
        }
    }

    /** Device ms of {@code a} and {@code b} in alternating rounds of 5 forwards each, the order flipped every round. */
    static Comparison compare(Session a, Session b, HostTensor input, int rounds) {
        a.timedRun(input);
        b.timedRun(input);
        double[] ma = new double[rounds], mb = new double[rounds];
        int wins = 0;
        for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
                ma[r] = medianMs(a, input);
                mb[r] = medianMs(b, input);
            } else {
                mb[r] = medianMs(b, input);
                ma[r] = medianMs(a, input);
            }
            if (mb[r] < ma[r]) wins++;
        }
        return new Comparison(median(ma), median(mb), wins, rounds);
    }

    private static double medianMs(Session s, HostTensor input) {
        double[] t = new double[5];
        for (int i = 0; i < t.length; i++) t[i] = s.timedRun(input) / 1e6;
        return median(t);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
