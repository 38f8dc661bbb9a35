package io.edgecl.api;

import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OpSpec;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.GemmTuner;
import io.edgecl.ops.Tuning;
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
 * Tunes a model's kernels for one device and keeps the result only when the whole forward gets
 * faster: every GEMM shape of the model is timed with each candidate (device time from events),
 * the fastest stored per shape, and then the forward with the new choices is compared with the
 * forward before them in alternating rounds. Unless it is faster beyond the noise, the previous
 * choices are restored: tuning cannot make a model slower.
 */
public final class Tuner {
    /** A forward must be this much faster (relative) for new choices to stay. */
    public static final double MIN_GAIN = 0.02;

    private Tuner() {}

    /** One GEMM shape: M × N × K, the default's and the winner's kernel time. */
    public record ShapeResult(int m, int n, int k, double defaultUs, double bestUs, String best) {}

    /**
     * The outcome: per shape, the forward's device time before and after (median of the rounds'
     * medians), whether the choices were kept, and the device's tuning file.
     */
    public record Report(String device, List<ShapeResult> shapes, double beforeMs, double afterMs, boolean kept,
                         Path file) {}

    /** Tunes {@code model} at [batch, 3, size, size] on the options' device; {@code progress} sees each shape. */
    public static Report tune(VisionModel model, SessionOptions options, int batch, int size, int reps, int rounds,
                              Consumer<ShapeResult> progress) {
        if (batch <= 0 || reps <= 0 || rounds <= 0) {
            throw new io.edgecl.EdgeClException("batch, reps and rounds must be positive");
        }
        Device d = options.device() != null ? options.device()
                : options.autoPrecision() ? Device.openAuto(options.deviceSpec(), options.binding(), null)
                : Device.open(options.deviceSpec(), options.binding(), options.precision());
        try {
            SessionOptions shared = options.withDevice(d);
            HostTensor input = HostTensor.zeros(batch, 3, size, size);
            try (Session before = Session.open(model, Weights.synthetic(0L), shared)) {
                before.prepare(batch, size, size);
                Graph g = before.graph(batch, size, size);
                Set<List<Integer>> shapes = new LinkedHashSet<>();
                for (Node n : g.nodes()) {
                    if (n.op() instanceof OpSpec.Gemm) {
                        shapes.add(List.of(n.inputs().get(0).rows(), n.output().c(), n.inputs().get(0).c()));
                    }
                }
                Map<String, String> previous = new LinkedHashMap<>();
                List<ShapeResult> results = new ArrayList<>();
                for (List<Integer> sh : shapes) {
                    String key = Gemm.tuningKey(d.precision(), sh.get(0), sh.get(1), sh.get(2));
                    previous.put(key, Tuning.lookup(d.ctx, key));
                    GemmTuner.Result r = GemmTuner.tune(d.ctx, sh.get(0), sh.get(1), sh.get(2), reps);
                    ShapeResult sr = new ShapeResult(r.m(), r.n(), r.k(), r.beforeNanos() / 1e3, r.bestNanos() / 1e3,
                            r.best().toString());
                    results.add(sr);
                    if (progress != null) progress.accept(sr);
                }
                try (Session after = Session.open(model, Weights.synthetic(0L), shared)) {
                    after.prepare(batch, size, size);
                    double[] ab = alternate(before, after, input, rounds);
                    boolean kept = ab[1] < ab[0] * (1 - MIN_GAIN);
                    if (!kept) {
                        previous.forEach((k, v) -> {
                            if (v == null) Tuning.remove(d.ctx, k);
                            else Tuning.store(d.ctx, k, v);
                        });
                    }
                    return new Report(d.name(), results, ab[0], ab[1], kept, Tuning.file(d.info()));
                }
            }
        } finally {
            if (options.device() == null) d.close();
        }
    }

    /** Median device ms of {@code a} and {@code b}, measured in alternating rounds of 5 forwards each. */
    static double[] alternate(Session a, Session b, HostTensor input, int rounds) {
        a.timedRun(input);
        b.timedRun(input);
        double[] ma = new double[rounds], mb = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ma[r] = medianMs(a, input);
            mb[r] = medianMs(b, input);
        }
        return new double[] {median(ma), median(mb)};
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
