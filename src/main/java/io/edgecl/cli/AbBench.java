package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.api.Device;
import io.edgecl.api.Fusion;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench --ab CHANGE}: two configurations of one model in one process, timed forward by
 * forward in turn (A B, then B A, ...), so that both see the same machine from one moment to the
 * next. On a shared or throttling machine the speed drifts by tens of percent within minutes;
 * runs of a configuration each, even alternated, then cannot tell a few percent apart, and
 * adjacent pairs can. The configuration B is A with the changes applied.
 */
final class AbBench {
    /** What B changes: fusion rules switched off, kernel choices, binding, precision. */
    record Changes(
            Set<Fusion> noFuse, Map<String, String> kernels, String binding, String precision, List<String> text) {
        /** Parses {@code no-fuse[=RULE[,RULE]]}, {@code kernel=FAMILY=VALUE}, {@code binding=B}, {@code precision=P}. */
        static Changes parse(List<String> specs) {
            Set<Fusion> noFuse = EnumSet.noneOf(Fusion.class);
            Map<String, String> kernels = new LinkedHashMap<>();
            String binding = null, precision = null;
            for (String spec : specs) {
                String s = spec.trim();
                int eq = s.indexOf('=');
                String key = eq < 0 ? s : s.substring(0, eq),
                        value = eq < 0 ? "" : s.substring(eq + 1).trim();
                switch (key) {
                    case "no-fuse" -> {
                        if (value.isEmpty()) noFuse.addAll(Fusion.all());
                        else for (String r : value.split(",")) noFuse.add(Fusion.parse(r.trim()));
                    }
                    case "kernel" -> {
                        int e2 = value.indexOf('=');
                        if (e2 <= 0) throw bad(spec, "kernel=FAMILY=VALUE");
                        kernels.put(
                                value.substring(0, e2).trim(),
                                value.substring(e2 + 1).trim());
                    }
                    case "binding" -> binding = require(spec, value, "binding=jocl|lwjgl");
                    case "precision" -> precision = require(spec, value, "precision=fp32|fp16-storage|fp16");
                    default -> throw bad(spec, null);
                }
            }
            return new Changes(noFuse, kernels, binding, precision, List.copyOf(specs));
        }

        private static String require(String spec, String value, String form) {
            if (value.isEmpty()) throw bad(spec, form);
            return value;
        }

        private static EdgeClException bad(String spec, String form) {
            return new EdgeClException("--ab " + spec + ": "
                    + (form != null ? "use " + form : "not a change")
                    + " (changes: no-fuse[=RULE[,RULE]], kernel=FAMILY=VALUE, binding=jocl|lwjgl, "
                    + "precision=fp32|fp16-storage|fp16)");
        }

        /** Whether B needs a device of its own (another binding or precision). */
        boolean ownDevice() {
            return binding != null || precision != null;
        }
    }

    /** The two configurations' times per forward (ns, pair by pair) and their outputs' largest difference. */
    record Result(long[] a, long[] b, double maxAbsDiff) {
        /** B's time over A's, pair by pair, sorted. */
        double[] ratios() {
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) r[i] = (double) b[i] / a[i];
            Arrays.sort(r);
            return r;
        }

        double bFasterFraction() {
            int n = 0;
            for (int i = 0; i < a.length; i++) if (b[i] < a[i]) n++;
            return a.length == 0 ? 0 : (double) n / a.length;
        }
    }

    private AbBench() {}

    /**
     * Opens A's session (the device options, {@code disabledA} off) on {@code devA}, which the caller
     * owns, and B's (A with {@code changes}), warms
     * both, then times {@code pairs} pairs of forwards, the order inside a pair alternating.
     */
    static Result run(
            VisionModel model,
            Weights weights,
            DeviceOptions deviceOptions,
            Set<Fusion> disabledA,
            Changes changes,
            Device devA,
            HostTensor input,
            int warmup,
            int pairs) {
        SessionOptions a = deviceOptions.options(disabledA);
        Set<Fusion> disabledB = EnumSet.noneOf(Fusion.class);
        disabledB.addAll(disabledA);
        disabledB.addAll(changes.noFuse());
        SessionOptions b = deviceOptions.options(disabledB);
        for (Map.Entry<String, String> k : changes.kernels().entrySet()) b = b.withKernel(k.getKey(), k.getValue());
        Device devB = changes.ownDevice()
                ? Device.open(
                        deviceOptions.device(),
                        changes.binding() != null ? changes.binding() : deviceOptions.binding(),
                        io.edgecl.tensor.Precision.parse(
                                changes.precision() != null
                                        ? changes.precision()
                                        : devA.precision().id()))
                : null;
        try (Session sa = Session.open(model, weights, a.withDevice(devA));
                Session sb =
                        Session.open(model, weights, devB != null ? b.withOwnedDevice(devB) : b.withDevice(devA))) {
            devB = null; // the session owns it now
            float[] oa = sa.run(input).get(model.primaryOutput()).data();
            float[] ob = sb.run(input).get(model.primaryOutput()).data();
            for (int i = 0; i < warmup; i++) {
                sa.runInto(input, oa);
                sb.runInto(input, ob);
            }
            long[] ta = new long[pairs], tb = new long[pairs];
            for (int i = 0; i < pairs; i++) {
                boolean aFirst = (i & 1) == 0;
                for (int k = 0; k < 2; k++) {
                    boolean runA = (k == 0) == aFirst;
                    long t0 = System.nanoTime();
                    if (runA) sa.runInto(input, oa);
                    else sb.runInto(input, ob);
                    long t = System.nanoTime() - t0;
                    if (runA) ta[i] = t;
                    else tb[i] = t;
                }
            }
            double d = 0;
            for (int i = 0; i < oa.length; i++) d = Math.max(d, Math.abs((double) oa[i] - ob[i]));
            return new Result(ta, tb, d);
        } finally {
            if (devB != null) devB.close();
        }
    }

    /** The figures as --json gives them. */
    static Map<String, Object> toMap(Result r, Changes c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("changes_in_b", c.text());
        m.put("pairs", r.a().length);
        m.put("a_ms", io.edgecl.profile.Stats.of(r.a()));
        m.put("b_ms", io.edgecl.profile.Stats.of(r.b()));
        double[] q = r.ratios();
        Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("median", quantile(q, 0.5));
        ratio.put("p25", quantile(q, 0.25));
        ratio.put("p75", quantile(q, 0.75));
        m.put("b_over_a", ratio);
        m.put("b_faster_fraction", r.bFasterFraction());
        m.put("outputs_max_abs_diff", r.maxAbsDiff());
        return m;
    }

    static List<String> lines(Result r, Changes c) {
        List<String> out = new ArrayList<>();
        io.edgecl.profile.Stats a = io.edgecl.profile.Stats.of(r.a()), b = io.edgecl.profile.Stats.of(r.b());
        double[] q = r.ratios();
        out.add(String.format(
                java.util.Locale.ROOT,
                "  A/B: %d pairs of forwards in turn (A B, B A, ...) in this process; B = A with %s",
                r.a().length,
                String.join(", ", c.text())));
        out.add(row("A", a));
        out.add(row("B", b));
        out.add(String.format(
                java.util.Locale.ROOT,
                "  B/A pair by pair: median %.3f (p25 %.3f, p75 %.3f); B faster in %.0f%% of pairs; "
                        + "outputs differ by at most %.2e",
                quantile(q, 0.5),
                quantile(q, 0.25),
                quantile(q, 0.75),
                100 * r.bFasterFraction(),
                r.maxAbsDiff()));
        return out;
    }

    private static String row(String label, io.edgecl.profile.Stats t) {
        return String.format(
                java.util.Locale.ROOT,
                "  %-26s %9.3f ms median (min %.3f, p90 %.3f)",
                label,
                t.medianMs(),
                t.minMs(),
                t.p90Ms());
    }

    private static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }
}
