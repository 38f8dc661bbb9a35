package io.edgecl.api;

import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OpSpec;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.GemmTuner;
import io.edgecl.ops.Tuning;
import io.edgecl.ops.Variants;
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
    public record VariantResult(String family, String variant, int ops, double currentMs, double variantMs, int wins,
                                int rounds, boolean kept) {}

    /**
     * The outcome: per GEMM shape, the forward's device time before and after the GEMM choices,
     * whether they were kept, the noise floor (relative difference of two sessions with the same
     * choices) and the gain a family variant needed, every family variant tried (rounds 0: the
     * variant is what already runs), the forward at the start and at the end, and the device's
     * tuning file.
     */
    public record Report(String device, List<ShapeResult> shapes, double beforeMs, double afterMs, boolean kept,
                         double noise, double requiredGain, List<VariantResult> variants, double startMs, double endMs,
                         Path file) {}

    /** Tunes {@code model} at [batch, 3, size, size] on the options' device; {@code progress} sees each result. */
    public static Report tune(VisionModel model, SessionOptions options, int batch, int size, int reps, int rounds,
                              Consumer<Object> progress) {
        return tune(model, options, batch, size, reps, rounds, progress, null);
    }

    /**
     * As {@link #tune(VisionModel, SessionOptions, int, int, int, int, Consumer)}, with
     * {@code familiesStart} run once between the GEMM shapes and the kernel families.
     */
    public static Report tune(VisionModel model, SessionOptions options, int batch, int size, int reps, int rounds,
                              Consumer<Object> progress, Runnable familiesStart) {
        if (batch <= 0 || reps <= 0 || rounds <= 0) {
            throw new io.edgecl.EdgeClException("batch, reps and rounds must be positive");
        }
        Device d = options.device() != null ? options.device()
                : options.autoPrecision() ? Device.openAuto(options.deviceSpec(), options.binding(), null)
                : Device.open(options.deviceSpec(), options.binding(), options.precision());
        Consumer<Object> sink = progress != null ? progress : x -> { };
        try {
            SessionOptions shared = options.withDevice(d);
            HostTensor input = HostTensor.zeros(batch, 3, size, size);
            Session best = Session.open(model, Weights.synthetic(0L), shared);
            try {
                best.prepare(batch, size, size);
                Graph g = best.graph(batch, size, size);
                // 0. the noise floor: the forward against a second session of the same choices
                double noise;
                try (Session twin = Session.open(model, Weights.synthetic(0L), shared)) {
                    twin.prepare(batch, size, size);
                    Comparison self = compare(best, twin, input, rounds);
                    noise = Math.abs(self.bMs - self.aMs) / self.aMs;
                }
                double gain = Math.max(MIN_GAIN, 2 * noise);
                // 1. GEMM shapes
                Map<List<Integer>, io.edgecl.ops.Act> shapes = new LinkedHashMap<>();
                for (Node n : g.nodes()) {
                    if (n.op() instanceof GemmOp gm) {
                        shapes.putIfAbsent(List.of(n.inputs().get(0).rows(), n.output().c(), n.inputs().get(0).c()), gm.act());
                    }
                }
                Map<String, String> previous = new LinkedHashMap<>();
                List<ShapeResult> results = new ArrayList<>();
                for (Map.Entry<List<Integer>, io.edgecl.ops.Act> e : shapes.entrySet()) {
                    List<Integer> sh = e.getKey();
                    String key = Gemm.tuningKey(d.precision(), sh.get(0), sh.get(1), sh.get(2));
                    previous.put(key, Tuning.lookup(d.ctx, key));
                    GemmTuner.Result r = GemmTuner.tune(d.ctx, sh.get(0), sh.get(1), sh.get(2), e.getValue(), reps);
                    ShapeResult sr = new ShapeResult(r.m(), r.n(), r.k(), r.beforeNanos() / 1e3, r.bestNanos() / 1e3,
                            r.best().toString());
                    results.add(sr);
                    sink.accept(sr);
                }
                double startMs, beforeMs, afterMs;
                boolean kept;
                Session after = Session.open(model, Weights.synthetic(0L), shared);
                after.prepare(batch, size, size);
                Comparison c = compare(best, after, input, rounds);
                startMs = beforeMs = c.aMs;
                afterMs = c.bMs;
                kept = c.bWins(gain);
                if (kept) {
                    best.close();
                    best = after;
                } else {
                    after.close();
                    previous.forEach((k, v) -> {
                        if (v == null) Tuning.remove(d.ctx, k);
                        else Tuning.store(d.ctx, k, v);
                    });
                }
                double currentMs = kept ? afterMs : beforeMs;
                // 2. the other kernel families, each on the whole forward
                if (familiesStart != null) familiesStart.run();
                List<String> current = best.launchSignature(batch, size, size);
                List<VariantResult> variants = new ArrayList<>();
                for (Map.Entry<String, List<String>> fam : Variants.ALL.entrySet()) {
                    String property = fam.getKey();
                    if (property.equals(Gemm.VARIANT_PROPERTY)) continue;
                    Set<Class<? extends OpSpec>> ops = SelfTest.affected(property);
                    Set<String> opShapes = new LinkedHashSet<>();
                    for (Node n : g.nodes()) if (ops.contains(n.op().getClass())) opShapes.add(n.tuningShape());
                    if (opShapes.isEmpty()) continue;
                    for (String value : fam.getValue()) {
                        Session candidate = Variants.with(property, value, () -> {
                            Session s = Session.open(model, Weights.synthetic(0L), shared);
                            try {
                                s.prepare(batch, size, size);
                                return s;
                            } catch (RuntimeException e) {
                                s.close();
                                throw e;
                            }
                        });
                        List<String> sig = candidate.launchSignature(batch, size, size);
                        if (sig.equals(current)) {
                            // the variant is what already runs: nothing to measure
                            candidate.close();
                            VariantResult vr = new VariantResult(property.replace("edgecl.", ""), value, opShapes.size(),
                                    currentMs, currentMs, 0, 0, false);
                            variants.add(vr);
                            sink.accept(vr);
                            continue;
                        }
                        Comparison cv = compare(best, candidate, input, rounds);
                        boolean win = cv.bWins(gain);
                        VariantResult vr = new VariantResult(property.replace("edgecl.", ""), value, opShapes.size(), cv.aMs,
                                cv.bMs, cv.wins, rounds, win);
                        variants.add(vr);
                        sink.accept(vr);
                        if (win) {
                            for (String shape : opShapes) Tuning.store(d.ctx, Variants.tuningKey(property, d.precision(), shape), value);
                            best.close();
                            best = candidate;
                            current = sig;
                            currentMs = cv.bMs;
                        } else {
                            candidate.close();
                        }
                    }
                }
                return new Report(d.name(), results, beforeMs, afterMs, kept, noise, gain, variants, startMs, currentMs,
                        Tuning.file(d.info()));
            } finally {
                best.close();
            }
        } finally {
            if (options.device() == null) d.close();
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
