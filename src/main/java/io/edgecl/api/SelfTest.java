package io.edgecl.api;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.ChannelAttentionOp;
import io.edgecl.graph.ConvOp;
import io.edgecl.graph.DwConvLayerNormOp;
import io.edgecl.graph.DwConvOp;
import io.edgecl.graph.DwConvTransposeOp;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.GemmOp;
import io.edgecl.graph.Graph;
import io.edgecl.graph.LayerNormOp;
import io.edgecl.graph.OpSamples;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.PackedCascadeOp;
import io.edgecl.graph.Plan;
import io.edgecl.graph.SelfAttentionOp;
import io.edgecl.graph.SplitCascadeOp;
import io.edgecl.io.WeightFile;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.Attention;
import io.edgecl.ops.KernelChoices;
import io.edgecl.ops.KernelFamily;
import io.edgecl.tensor.Comparison;
import io.edgecl.tensor.HostTensor;
import io.edgecl.tensor.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Checks a device's results against references, on that device: OpenCL drivers, mobile ones
 * above all, are known to miscompute specific kernels while others are right. Three kinds of
 * check, each in every precision asked for:
 * <ul>
 *   <li>{@code kernel}: every op sample ({@link OpSamples}) in the device's default kernels and
 *   in each kernel family's candidates ({@link KernelFamily#distinctCandidates}) that launch other kernels, against the
 *   plain-Java reference of the op computed on the host;</li>
 *   <li>{@code model}: one tiny network per family (64×64, 10 classes, seeded weights) against
 *   logits stored in the jar ({@code /io/edgecl/selftest/references.json}, written from the
 *   host reference; a test keeps them current);</li>
 *   <li>{@code golden}: with a folder of fixtures (case.json, weights, io.safetensors), every
 *   case's logits and features against the stored upstream outputs.</li>
 * </ul>
 * Tolerance: max|Δ| ≤ tol · max(1, max|ref|), tol 1e-4 in fp32, 1e-2 in fp16 storage, 3e-2 in
 * fp16; a model also keeps top-1 on every image whose reference's top two classes differ by more
 * than that tolerance. The outcome per precision is cached per device and driver
 * ({@link PrecisionRecord#cachedPasses}); {@code --precision auto} only picks modes that passed.
 */
public final class SelfTest {
    /** PASS, FAIL, or SKIP (not run on this device, with the reason). */
    public enum Status {
        PASS,
        FAIL,
        SKIP
    }

    /** One check: kind (kernel, model, golden), name, precision, variant, error and verdict. */
    public record Check(
            String kind,
            String name,
            String precision,
            String variant,
            String kernels,
            double maxError,
            double maxRef,
            double tolerance,
            Status status,
            String detail) {
        /** One line for a terminal. */
        public String line() {
            String err = status == Status.SKIP
                    ? ""
                    : String.format(Locale.ROOT, "max|d| %.2e (tol %.1e)", maxError, tolerance);
            return String.format(
                    Locale.ROOT,
                    "%-4s %-6s %-13s %-32s %-22s %-28s %s%s",
                    status,
                    kind,
                    precision,
                    name,
                    variant,
                    kernels,
                    err,
                    detail.isEmpty() ? "" : "  " + detail);
        }
    }

    /** Every check of one run, with the device it ran on. */
    public record Report(String device, String driver, List<Check> checks) {
        public long failures() {
            return checks.stream().filter(c -> c.status == Status.FAIL).count();
        }

        public boolean passed() {
            return failures() == 0;
        }

        /** The precisions every check of which passed (each ran at least one check). */
        public Set<Precision> passedPrecisions() {
            Set<Precision> out = EnumSet.noneOf(Precision.class);
            for (Precision p : Precision.values()) {
                boolean ran = false, ok = true;
                for (Check c : checks) {
                    if (!c.precision.equals(p.id()) || c.status == Status.SKIP) continue;
                    ran = true;
                    ok &= c.status == Status.PASS;
                }
                if (ran && ok) out.add(p);
            }
            return out;
        }
    }

    /**
     * What to run. {@code golden} may be null; {@code variants} false checks the default kernels
     * only; {@code only}, when not empty, keeps the op samples and tiny networks whose name starts
     * with one of its entries (e.g. "gemm", "dwconv", "edgenext").
     */
    public record Options(
            List<Precision> precisions, boolean variants, boolean models, Path golden, List<String> only) {
        public Options(List<Precision> precisions, boolean variants, boolean models, Path golden) {
            this(precisions, variants, models, golden, List.of());
        }

        public static Options defaults(List<Precision> precisions) {
            return new Options(precisions, true, true, null);
        }

        boolean wants(String name) {
            if (only == null || only.isEmpty()) return true;
            for (String o : only) if (name.startsWith(o)) return true;
            return false;
        }
    }

    private SelfTest() {}

    /** Maximum relative error a precision is allowed (of max(1, max|ref|)). */
    public static double tolerance(Precision p) {
        return switch (p) {
            case FP32 -> 1e-4;
            case FP16_STORAGE -> 1e-2;
            case FP16 -> 3e-2;
        };
    }

    /** The precisions {@code device} can run: fp32, fp16 storage, and fp16 arithmetic where it has half support. */
    public static List<Precision> available(Device device) {
        List<Precision> out = new ArrayList<>(List.of(Precision.FP32, Precision.FP16_STORAGE));
        if (device.ctx.halfArithmetic()) out.add(Precision.FP16);
        return out;
    }

    /** Runs the checks, telling {@code progress} each one as it ends, and caches the outcome per precision. */
    public static Report run(Device device, Options options, Consumer<Check> progress) {
        ClContext ctx = device.ctx;
        Precision before = ctx.precision();
        List<Check> checks = new ArrayList<>();
        Consumer<Check> sink = c -> {
            checks.add(c);
            if (progress != null) progress.accept(c);
        };
        try {
            for (Precision p : options.precisions()) {
                if (p == Precision.FP16 && !ctx.halfArithmetic()) {
                    sink.accept(new Check(
                            "kernel",
                            "*",
                            p.id(),
                            "",
                            "",
                            0,
                            0,
                            0,
                            Status.SKIP,
                            "the device has no half arithmetic (cl_khr_fp16)"));
                    continue;
                }
                ctx.setPrecision(p);
                kernels(ctx, p, options, sink);
                if (options.models()) models(ctx, p, options, sink);
                if (options.golden() != null) golden(ctx, p, options.golden(), sink);
            }
        } finally {
            ctx.setPrecision(before);
        }
        Report r = new Report(ctx.info().name(), ctx.info().driverVersion(), checks);
        PrecisionRecord.store(ctx.info(), r);
        return r;
    }

    // ---- kernels

    /** The op classes whose kernels a family chooses. */
    static Set<Class<? extends OpSpec>> affected(KernelFamily<?> family) {
        if (family == KernelFamily.GEMM) return Set.of(GemmOp.class);
        if (family == KernelFamily.CONV || family == KernelFamily.CONV_INPUT) return Set.of(ConvOp.class);
        if (family == KernelFamily.DWCONV) {
            return Set.of(DwConvOp.class, SplitCascadeOp.class, PackedCascadeOp.class, DwConvTransposeOp.class);
        }
        if (family == KernelFamily.DWCONV_LN) return Set.of(DwConvLayerNormOp.class);
        if (family == KernelFamily.EXPAND_DW) return Set.of(io.edgecl.graph.ExpandDwOp.class);
        if (family == KernelFamily.DW_GEMM) return Set.of(io.edgecl.graph.DwGemmOp.class);
        if (family == KernelFamily.LAYERNORM) return Set.of(LayerNormOp.class);
        if (family == KernelFamily.ATTENTION)
            return Set.of(SelfAttentionOp.class, io.edgecl.graph.MultiQueryAttentionOp.class);
        if (family == KernelFamily.XCA) return Set.of(ChannelAttentionOp.class);
        if (family == KernelFamily.CASCADE) return Set.of(PackedCascadeOp.class);
        if (family == KernelFamily.SE_EXCITE) return Set.of(io.edgecl.graph.SqueezeExciteOp.class);
        if (family == KernelFamily.TILES) {
            return Set.of(GemmOp.class, ConvOp.class, io.edgecl.graph.ExpandDwOp.class, io.edgecl.graph.DwGemmOp.class);
        }
        throw new IllegalArgumentException(family.name());
    }

    private static boolean simulator(ClContext ctx) {
        return ctx.info().name().toLowerCase(Locale.ROOT).contains("oclgrind");
    }

    private static void kernels(ClContext ctx, Precision p, Options options, Consumer<Check> sink) {
        double tol = tolerance(p);
        boolean variants = options.variants();
        for (OpSamples.Sample s : OpSamples.all()) {
            if (!options.wants(s.name())) continue;
            Graph g = OpSamples.build(s);
            HostTensor input = OpSamples.input(g);
            float[] ref = io.edgecl.graph.HostEval.run(g, input).get("logits").data();
            Set<String> seen = new LinkedHashSet<>();
            kernelSample(ctx, s, g, input, ref, p, tol, "default", KernelChoices.DEFAULTS, seen, sink);
            if (!variants) continue;
            for (KernelFamily<?> family : KernelFamily.ALL) {
                if (!affected(family).contains(s.op())) continue;
                for (Object candidate : family.distinctCandidates()) {
                    String value = family.format(candidate);
                    String label = family.name() + "=" + value;
                    if (family == KernelFamily.ATTENTION && candidate != Attention.Variant.DIRECT && simulator(ctx)) {
                        sink.accept(new Check(
                                "kernel",
                                s.name(),
                                p.id(),
                                label,
                                s.op() == io.edgecl.graph.MultiQueryAttentionOp.class
                                        ? "mqa_pack_tv+mhsa_qb"
                                        : candidate == Attention.Variant.PACKED
                                                ? "mhsa_pack+mhsa_kc"
                                                : "mhsa_pack_tv+mhsa_qb",
                                0,
                                0,
                                tol,
                                Status.SKIP,
                                "the Oclgrind simulator loses track of 16-wide vector loads"));
                        continue;
                    }
                    kernelSample(
                            ctx,
                            s,
                            g,
                            input,
                            ref,
                            p,
                            tol,
                            label,
                            KernelChoices.DEFAULTS.forcingParsed(family, value),
                            seen,
                            sink);
                }
            }
        }
    }

    /**
     * Plans {@code g} in the kernels {@code choices} select and checks it, unless it launches the same
     * kernels, built the same way, as a check already made ({@code seen}): a variant that changes
     * only a kernel's build options (a register tile's shape) is other machine code, and is checked.
     * A plan that cannot be built fails the check: a variant a device cannot run falls back to the
     * default, so a build error is the driver's.
     */
    private static void kernelSample(
            ClContext ctx,
            OpSamples.Sample s,
            Graph g,
            HostTensor input,
            float[] ref,
            Precision p,
            double tol,
            String variant,
            KernelChoices choices,
            Set<String> seen,
            Consumer<Check> sink) {
        String kernels = "";
        try (Plan plan = new Plan(ctx, g, choices)) {
            Set<String> k = new LinkedHashSet<>(), built = new java.util.TreeSet<>();
            plan.launches().forEach(l -> {
                k.add(l.kernelName());
                built.add(l.kernelName() + " " + l.program());
            });
            kernels = String.join("+", k);
            if (!seen.add(String.join("\n", built))) return;
            plan.poisonActivations(); // unwritten outputs show as NaN
            plan.run(input);
            float[] got = plan.read("logits").data();
            sink.accept(compare("kernel", s.name(), p, variant, kernels, ref, got, tol, ""));
        } catch (RuntimeException e) {
            sink.accept(new Check(
                    "kernel", s.name(), p.id(), variant, kernels, Double.NaN, 0, tol, Status.FAIL, oneLine(e)));
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** max|Δ| against max(1, max|ref|)·tol ({@link Comparison}): a non-finite element or a length mismatch fails. */
    static Check compare(
            String kind,
            String name,
            Precision p,
            String variant,
            String kernels,
            float[] ref,
            float[] got,
            double tol,
            String extra) {
        Comparison c = Comparison.of(ref, got);
        boolean ok = c.within(tol);
        String detail = ok ? extra : (extra.isEmpty() ? "" : extra + "; ") + c.describe(ref, got, tol);
        return new Check(
                kind,
                name,
                p.id(),
                variant,
                kernels,
                c.relError(),
                c.maxAbsRef(),
                tol,
                ok ? Status.PASS : Status.FAIL,
                detail);
    }

    private static void models(ClContext ctx, Precision p, Options options, Consumer<Check> sink) {
        Map<String, float[]> refs = TinyNetworks.references();
        double tol = tolerance(p);
        for (String family : TinyNetworks.TINY.keySet()) {
            if (!options.wants(family)) continue;
            float[] ref = refs.get(family);
            if (ref == null) {
                sink.accept(new Check(
                        "model", family, p.id(), "fused", "", Double.NaN, 0, tol, Status.FAIL, "no stored reference"));
                continue;
            }
            try {
                Graph g = TinyNetworks.tinyGraph(family);
                FusionScheduler.apply(g, Set.of());
                try (Plan plan = new Plan(ctx, g)) {
                    plan.poisonActivations(); // unwritten outputs show as NaN
                    plan.run(TinyNetworks.tinyInput());
                    float[] got = plan.read("logits").data();
                    Check c = withTop1(compare("model", family, p, "fused", "", ref, got, tol, ""), ref, got, 10);
                    float[] fref = refs.get(family + "/feature");
                    if (c.status() == Status.PASS && fref != null) {
                        Check f = compare(
                                "model",
                                family,
                                p,
                                "fused",
                                "",
                                fref,
                                plan.read(TinyNetworks.deepestFeature(g)).data(),
                                tol,
                                "");
                        if (f.status() != Status.PASS) {
                            c = new Check(
                                    "model",
                                    family,
                                    p.id(),
                                    "fused",
                                    "",
                                    f.maxError(),
                                    f.maxRef(),
                                    tol,
                                    Status.FAIL,
                                    "deepest features differ");
                        }
                    }
                    sink.accept(c);
                }
            } catch (RuntimeException e) {
                sink.accept(
                        new Check("model", family, p.id(), "fused", "", Double.NaN, 0, tol, Status.FAIL, oneLine(e)));
            }
        }
    }

    /**
     * Fails {@code c} when an image whose reference has a clear winner (top two further apart
     * than twice the tolerance) gets another top-1; the detail counts every image's agreement.
     */
    static Check withTop1(Check c, float[] ref, float[] got, int classes) {
        if (c.status != Status.PASS || classes <= 1) return c;
        double margin = c.tolerance * Math.max(1.0, c.maxRef);
        int images = ref.length / classes, same = 0;
        for (int b = 0; b < images; b++) {
            int o = b * classes, best = argmax(ref, o, classes), mine = argmax(got, o, classes);
            if (mine == best) {
                same++;
                continue;
            }
            float second = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < classes; i++) if (i != best) second = Math.max(second, ref[o + i]);
            if (ref[o + best] - second > 2 * margin) {
                return new Check(
                        c.kind,
                        c.name,
                        c.precision,
                        c.variant,
                        c.kernels,
                        c.maxError,
                        c.maxRef,
                        c.tolerance,
                        Status.FAIL,
                        "top-1 of image " + b + " is class " + mine + ", the reference's " + best);
            }
        }
        String top1 = "top-1 same on " + same + "/" + images + " images"
                + (same < images ? " (the others are near-ties in the reference)" : "");
        return new Check(
                c.kind,
                c.name,
                c.precision,
                c.variant,
                c.kernels,
                c.maxError,
                c.maxRef,
                c.tolerance,
                c.status,
                c.status == Status.PASS || c.detail.isEmpty() ? top1 : c.detail + "; " + top1);
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    // ---- golden fixtures

    private static void golden(ClContext ctx, Precision p, Path dir, Consumer<Check> sink) {
        double tol = tolerance(p);
        List<Path> cases = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve("case.json"))) {
            cases.add(dir);
        } else {
            try (var s = Files.list(dir)) {
                s.filter(c -> Files.isRegularFile(c.resolve("case.json")))
                        .sorted()
                        .forEach(cases::add);
            } catch (IOException e) {
                throw new EdgeClException("--golden " + dir + ": " + e.getMessage(), e);
            }
            if (cases.isEmpty()) throw new EdgeClException("--golden " + dir + ": no folder with a case.json in it");
        }
        for (Path c : cases) goldenCase(ctx, p, c, tol, sink);
    }

    /** What a detection fixture holds beside the network's outputs: its post-processing's. */
    private static final Set<String> POSTPROCESS = Set.of("anchors", "boxes", "scores", "labels", "image");

    private static void goldenCase(ClContext ctx, Precision p, Path dir, double tol, Consumer<Check> sink) {
        String name = dir.getFileName().toString();
        try {
            JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("case.json")))
                    .getAsJsonObject();
            VisionModel model = Models.fromSpec(json.getAsJsonObject("spec"));
            String fmt = json.has("key_format") ? json.get("key_format").getAsString() : "auto";
            if (fmt.startsWith("official")) fmt = "official";
            Weights w = ModelWeights.load(dir.resolve(json.get("weights").getAsString()), fmt);
            Map<String, HostTensor> io;
            try (WeightFile f = WeightFile.open(dir.resolve("io.safetensors"))) {
                io = f.readAll();
            }
            HostTensor input = io.get("input");
            if (input == null) throw new EdgeClException(dir.resolve("io.safetensors") + ": no tensor 'input'");
            int[] s = input.shape();
            // a features-only fixture (a dilated backbone) has no classifier to build
            boolean featuresOnly =
                    json.has("features_only") && json.get("features_only").getAsBoolean();
            Graph g = featuresOnly ? model.buildFeatures(w, s[0], s[2], s[3]) : model.build(w, s[0], s[2], s[3]);
            w.finish();
            FusionScheduler.apply(g, Set.of());
            try (Plan plan = new Plan(ctx, g)) {
                plan.poisonActivations(); // unwritten outputs show as NaN
                plan.run(input);
                Map<String, HostTensor> out = plan.readAll();
                // every output the fixture holds, not only those the model produced
                for (Map.Entry<String, HostTensor> e : new TreeMap<>(io).entrySet()) {
                    if (e.getKey().equals("input")) continue;
                    HostTensor ref = e.getValue(), got = out.get(e.getKey());
                    if (got == null) {
                        // a detector's decoded detections are compared with their own rules
                        // (near-ties, boxes in pixels) by the detector tests, not element by element
                        boolean decoded =
                                model instanceof io.edgecl.models.Detector && POSTPROCESS.contains(e.getKey());
                        sink.accept(new Check(
                                "golden",
                                name + " " + e.getKey(),
                                p.id(),
                                "fused",
                                "",
                                Double.NaN,
                                0,
                                tol,
                                decoded ? Status.SKIP : Status.FAIL,
                                decoded
                                        ? "a detection post-processing output; the head's raw outputs are checked"
                                        : "the model produced no output '" + e.getKey() + "' (it gave " + out.keySet()
                                                + ")"));
                        continue;
                    }
                    Check c =
                            compare("golden", name + " " + e.getKey(), p, "fused", "", ref.data(), got.data(), tol, "");
                    if (e.getKey().equals("logits")) c = withTop1(c, ref.data(), got.data(), model.numClasses());
                    sink.accept(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            sink.accept(new Check("golden", name, p.id(), "fused", "", Double.NaN, 0, tol, Status.FAIL, oneLine(e)));
        }
    }
}
