package io.edgecl.api;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.EdgeClException;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.cl.ProgramCache;
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
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
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
 * ({@link #cachedPasses}); {@code --precision auto} only picks modes that passed.
 */
public final class SelfTest {
    /** PASS, FAIL, or SKIP (not run on this device, with the reason). */
    public enum Status { PASS, FAIL, SKIP }

    /** One check: kind (kernel, model, golden), name, precision, variant, error and verdict. */
    public record Check(String kind, String name, String precision, String variant, String kernels, double maxError,
                        double maxRef, double tolerance, Status status, String detail) {
        /** One line for a terminal. */
        public String line() {
            String err = status == Status.SKIP ? "" : String.format(Locale.ROOT, "max|d| %.2e (tol %.1e)", maxError,
                    tolerance);
            return String.format(Locale.ROOT, "%-4s %-6s %-13s %-32s %-22s %-28s %s%s", status, kind, precision, name,
                    variant, kernels, err, detail.isEmpty() ? "" : "  " + detail);
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
    public record Options(List<Precision> precisions, boolean variants, boolean models, Path golden, List<String> only) {
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

    private static final String REFERENCES = "/io/edgecl/selftest/references.json";

    /** The tiny networks, one per family: name and spec (10 classes, input 1×3×64×64). */
    public static final Map<String, String> TINY = tiny();

    private static Map<String, String> tiny() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("edgenext", "{\"family\":\"edgenext\",\"dims\":[16,32,48,64],\"depths\":[1,1,2,1],\"heads\":[4,4,4,4]}");
        m.put("convnext", "{\"family\":\"convnext\",\"depths\":[1,1,1,1],\"dims\":[16,32,48,64]}");
        m.put("edgevit", "{\"family\":\"edgevit\",\"depth\":[1,1,1,1],\"embed_dim\":[16,32,48,64],\"head_dim\":16,"
                + "\"mlp_ratio\":[4,4,4,4],\"sr_ratios\":[4,2,2,1]}");
        m.put("mobilevit", "{\"model\":\"mobilevit_xxs\"}");
        m.put("mobilenetv1", "{\"family\":\"mobilenetv1\",\"variant\":\"mobilenetv1_100\",\"channel_multiplier\":0.25}");
        m.put("mobilenetv2", "{\"family\":\"mobilenetv2\",\"variant\":\"mobilenetv2_100\",\"channel_multiplier\":0.35}");
        m.put("mobilenetv3", "{\"model\":\"mobilenetv3_small_050\"}");
        m.put("efficientnet", "{\"family\":\"efficientnet\",\"variant\":\"efficientnet_b0\",\"channel_multiplier\":0.25,"
                + "\"depth_multiplier\":0.5}");
        m.put("efficientnetv2", "{\"family\":\"efficientnetv2\",\"variant\":\"efficientnetv2_rw_s\","
                + "\"channel_multiplier\":0.25,\"depth_multiplier\":0.3}");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Seed of the tiny networks' weights and inputs. */
    public static final long SEED = 20261202L;

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
                    sink.accept(new Check("kernel", "*", p.id(), "", "", 0, 0, 0, Status.SKIP,
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
        store(ctx.info(), r);
        return r;
    }

    // ---- kernels

    /** The op classes whose kernels a family chooses. */
    static Set<Class<? extends OpSpec>> affected(KernelFamily<?> family) {
        if (family == KernelFamily.GEMM) return Set.of(GemmOp.class);
        if (family == KernelFamily.CONV) return Set.of(ConvOp.class);
        if (family == KernelFamily.DWCONV) {
            return Set.of(DwConvOp.class, SplitCascadeOp.class, PackedCascadeOp.class, DwConvTransposeOp.class);
        }
        if (family == KernelFamily.DWCONV_LN) return Set.of(DwConvLayerNormOp.class);
        if (family == KernelFamily.LAYERNORM) return Set.of(LayerNormOp.class);
        if (family == KernelFamily.ATTENTION) return Set.of(SelfAttentionOp.class);
        if (family == KernelFamily.XCA) return Set.of(ChannelAttentionOp.class);
        if (family == KernelFamily.CASCADE) return Set.of(PackedCascadeOp.class);
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
                        sink.accept(new Check("kernel", s.name(), p.id(), label,
                                candidate == Attention.Variant.PACKED ? "mhsa_pack+mhsa_kc" : "mhsa_pack_tv+mhsa_qb", 0, 0,
                                tol, Status.SKIP, "the Oclgrind simulator loses track of 16-wide vector loads"));
                        continue;
                    }
                    kernelSample(ctx, s, g, input, ref, p, tol, label, KernelChoices.DEFAULTS.forcingParsed(family, value),
                            seen, sink);
                }
            }
        }
    }

    /**
     * Plans {@code g} in the kernels {@code choices} select and checks it, unless it launches the same
     * kernels as a check already made ({@code seen}). A plan that cannot be built fails the check:
     * a variant a device cannot run falls back to the default, so a build error is the driver's.
     */
    private static void kernelSample(ClContext ctx, OpSamples.Sample s, Graph g, HostTensor input, float[] ref,
                                     Precision p, double tol, String variant, KernelChoices choices, Set<String> seen,
                                     Consumer<Check> sink) {
        String kernels = "";
        try (Plan plan = new Plan(ctx, g, choices)) {
            Set<String> k = new LinkedHashSet<>();
            plan.launches().forEach(l -> k.add(l.kernelName()));
            kernels = String.join("+", k);
            if (!seen.add(kernels)) return;
            plan.poisonActivations(); // unwritten outputs show as NaN
            plan.run(input);
            float[] got = plan.read("logits").data();
            sink.accept(compare("kernel", s.name(), p, variant, kernels, ref, got, tol, ""));
        } catch (RuntimeException e) {
            sink.accept(new Check("kernel", s.name(), p.id(), variant, kernels, Double.NaN, 0, tol, Status.FAIL,
                    oneLine(e)));
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** max|Δ| against max(1, max|ref|)·tol ({@link Comparison}): a non-finite element or a length mismatch fails. */
    static Check compare(String kind, String name, Precision p, String variant, String kernels, float[] ref,
                         float[] got, double tol, String extra) {
        Comparison c = Comparison.of(ref, got);
        boolean ok = c.within(tol);
        String detail = ok ? extra : (extra.isEmpty() ? "" : extra + "; ") + c.describe(ref, got, tol);
        return new Check(kind, name, p.id(), variant, kernels, c.relError(), c.maxAbsRef(), tol,
                ok ? Status.PASS : Status.FAIL, detail);
    }

    // ---- tiny models

    /** The stored reference logits of the tiny networks, by family. */
    public static Map<String, float[]> references() {
        try (InputStream in = SelfTest.class.getResourceAsStream(REFERENCES)) {
            if (in == null) throw new EdgeClException("selftest references " + REFERENCES + " are missing from the jar");
            JsonObject o = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("logits").entrySet()) {
                JsonArray a = e.getValue().getAsJsonArray();
                float[] f = new float[a.size()];
                for (int i = 0; i < f.length; i++) f[i] = a.get(i).getAsFloat();
                out.put(e.getKey(), f);
            }
            return out;
        } catch (IOException e) {
            throw new EdgeClException("cannot read " + REFERENCES + ": " + e.getMessage(), e);
        }
    }

    /**
     * The tiny networks' outputs from the plain-Java reference (what the stored references hold):
     * "FAMILY" the logits, "FAMILY/feature" the deepest stage's features (the logits alone are
     * dominated by the head's bias with seeded weights).
     */
    public static Map<String, float[]> computeReferences() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String family : TINY.keySet()) {
            Graph g = tinyGraph(family);
            Map<String, HostTensor> all = io.edgecl.graph.HostEval.run(g, tinyInput());
            out.put(family, all.get("logits").data());
            out.put(family + "/feature", all.get(deepestFeature(g)).data());
        }
        return out;
    }

    /** The name of the last "features.i" output. */
    static String deepestFeature(Graph g) {
        String best = null;
        for (String k : g.outputs().keySet()) {
            if (!k.startsWith("features.")) continue;
            if (best == null || Integer.parseInt(k.substring(9)) > Integer.parseInt(best.substring(9))) best = k;
        }
        if (best == null) throw new IllegalStateException("no features output");
        return best;
    }

    /** The references file's text for {@code logits}. */
    public static String referencesJson(Map<String, float[]> logits) {
        JsonObject o = new JsonObject();
        o.addProperty("about", "outputs (logits, deepest features) of SelfTest.TINY's networks (weights Weights.synthetic(SEED), input tinyInput()),"
                + " from the plain-Java reference (HostEval)");
        JsonObject l = new JsonObject();
        logits.forEach((k, v) -> {
            JsonArray a = new JsonArray();
            for (float f : v) a.add(f);
            l.add(k, a);
        });
        o.add("logits", l);
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    /** A tiny network's model (spec with 10 classes). */
    public static VisionModel tinyModel(String family) {
        JsonObject spec = JsonParser.parseString(TINY.get(family)).getAsJsonObject();
        spec.addProperty("num_classes", 10);
        return Models.fromSpec(spec);
    }

    /** A tiny network's graph with its seeded weights, batch 1 at 64×64, unfused. */
    public static Graph tinyGraph(String family) {
        Weights w = Weights.synthetic(SEED);
        Graph g = tinyModel(family).build(w, 1, 64, 64);
        w.finish();
        return g;
    }

    /** The tiny networks' input: seeded gaussians, 1×3×64×64. */
    public static HostTensor tinyInput() {
        Random r = new Random(SEED);
        float[] d = new float[3 * 64 * 64];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return new HostTensor(new int[] {1, 3, 64, 64}, d);
    }

    private static void models(ClContext ctx, Precision p, Options options, Consumer<Check> sink) {
        Map<String, float[]> refs = references();
        double tol = tolerance(p);
        for (String family : TINY.keySet()) {
            if (!options.wants(family)) continue;
            float[] ref = refs.get(family);
            if (ref == null) {
                sink.accept(new Check("model", family, p.id(), "fused", "", Double.NaN, 0, tol, Status.FAIL,
                        "no stored reference"));
                continue;
            }
            try {
                Graph g = tinyGraph(family);
                FusionScheduler.apply(g, Set.of());
                try (Plan plan = new Plan(ctx, g)) {
                    plan.poisonActivations(); // unwritten outputs show as NaN
                    plan.run(tinyInput());
                    float[] got = plan.read("logits").data();
                    Check c = withTop1(compare("model", family, p, "fused", "", ref, got, tol, ""), ref, got, 10);
                    float[] fref = refs.get(family + "/feature");
                    if (c.status() == Status.PASS && fref != null) {
                        Check f = compare("model", family, p, "fused", "", fref, plan.read(deepestFeature(g)).data(),
                                tol, "");
                        if (f.status() != Status.PASS) {
                            c = new Check("model", family, p.id(), "fused", "", f.maxError(), f.maxRef(), tol,
                                    Status.FAIL, "deepest features differ");
                        }
                    }
                    sink.accept(c);
                }
            } catch (RuntimeException e) {
                sink.accept(new Check("model", family, p.id(), "fused", "", Double.NaN, 0, tol, Status.FAIL, oneLine(e)));
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
                return new Check(c.kind, c.name, c.precision, c.variant, c.kernels, c.maxError, c.maxRef, c.tolerance,
                        Status.FAIL, "top-1 of image " + b + " is class " + mine + ", the reference's " + best);
            }
        }
        String top1 = "top-1 same on " + same + "/" + images + " images"
                + (same < images ? " (the others are near-ties in the reference)" : "");
        return new Check(c.kind, c.name, c.precision, c.variant, c.kernels, c.maxError, c.maxRef, c.tolerance,
                c.status, c.status == Status.PASS || c.detail.isEmpty() ? top1 : c.detail + "; " + top1);
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
                s.filter(c -> Files.isRegularFile(c.resolve("case.json"))).sorted().forEach(cases::add);
            } catch (IOException e) {
                throw new EdgeClException("--golden " + dir + ": " + e.getMessage(), e);
            }
            if (cases.isEmpty()) throw new EdgeClException("--golden " + dir + ": no folder with a case.json in it");
        }
        for (Path c : cases) goldenCase(ctx, p, c, tol, sink);
    }

    private static void goldenCase(ClContext ctx, Precision p, Path dir, double tol, Consumer<Check> sink) {
        String name = dir.getFileName().toString();
        try {
            JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("case.json"))).getAsJsonObject();
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
            Graph g = model.build(w, s[0], s[2], s[3]);
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
                        sink.accept(new Check("golden", name + " " + e.getKey(), p.id(), "fused", "", Double.NaN, 0, tol,
                                Status.FAIL, "the model produced no output '" + e.getKey() + "' (it gave " + out.keySet() + ")"));
                        continue;
                    }
                    Check c = compare("golden", name + " " + e.getKey(), p, "fused", "", ref.data(), got.data(), tol, "");
                    if (e.getKey().equals("logits")) c = withTop1(c, ref.data(), got.data(), model.numClasses());
                    sink.accept(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            sink.accept(new Check("golden", name, p.id(), "fused", "", Double.NaN, 0, tol, Status.FAIL, oneLine(e)));
        }
    }

    // ---- the per-device record

    private static Path file(DeviceInfo d) {
        // the reported limits too: a device run under -Dedgecl.device.limits chooses other kernels
        String limits = d.type() + " " + d.maxWorkGroupSize() + " " + d.localMemBytes() + " " + d.maxAllocBytes();
        return ProgramCache.cacheRoot().resolve("selftest").resolve(ProgramCache.key("selftest-v1", limits, d, "")
                + ".json");
    }

    /** Stores which precisions passed (only precisions that ran are updated); an unwritable cache is no error. */
    private static void store(DeviceInfo d, Report r) {
        Path f = file(d);
        Set<Precision> ok = r.passedPrecisions();
        try {
            // re-read under a lock: another process's precisions stay (SharedFiles)
            io.edgecl.SharedFiles.update(f, old -> {
                Map<String, String> table = parse(old);
                for (Check c : r.checks()) {
                    if (c.status() == Status.SKIP) continue;
                    table.put(c.precision(), ok.contains(Precision.parse(c.precision())) ? "pass" : "fail");
                }
                return new Gson().toJson(table);
            });
        } catch (IOException | RuntimeException e) {
            // the cache is an optimisation: without it auto falls back to fp32
        }
    }

    private static Map<String, String> read(Path f) {
        try {
            return parse(Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : null);
        } catch (IOException e) {
            return new TreeMap<>(); // an unreadable record counts as none
        }
    }

    /** A record's JSON as a sorted map; empty for null or a damaged record (it counts as none). */
    private static Map<String, String> parse(String json) {
        Map<String, String> table = new TreeMap<>();
        if (json == null) return table;
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) table.put(e.getKey(), e.getValue().getAsString());
        } catch (RuntimeException e) {
            table.clear();
        }
        return table;
    }

    /**
     * The precision {@code --precision auto} picks: the fastest mode for the kind of device whose
     * selftest passed on this device and driver. GPUs and other accelerators: fp16 (where the
     * device computes half), then fp16 storage, then fp32; CPU devices: fp32 (their float units
     * are as fast, and converting halves costs more than the memory it saves). A mode with no
     * recorded outcome is checked first (default kernels and the tiny networks, once; the
     * outcome is cached), and {@code note} is told so. fp32 is the fallback.
     */
    public static Precision autoPrecision(Device device, Consumer<String> note) {
        ClContext ctx = device.ctx;
        List<Precision> order = new ArrayList<>();
        if (!ctx.info().isCpu()) {
            if (ctx.halfArithmetic()) order.add(Precision.FP16);
            order.add(Precision.FP16_STORAGE);
        }
        for (Precision p : order) {
            Map<String, String> rec = read(file(ctx.info()));
            if (!rec.containsKey(p.id())) {
                if (note != null) note.accept("precision auto: checking " + p.id() + " on " + ctx.info().name()
                        + " once (edgecl selftest; the outcome is kept per device and driver)");
                run(device, new Options(List.of(p), false, true, null), null);
                rec = read(file(ctx.info()));
            }
            if ("pass".equals(rec.get(p.id()))) return p;
        }
        return Precision.FP32;
    }

    /** The precisions whose last selftest on this device and driver passed. */
    public static Set<Precision> cachedPasses(Device device) {
        Set<Precision> out = EnumSet.noneOf(Precision.class);
        read(file(device.ctx.info())).forEach((k, v) -> {
            if (!v.equals("pass")) return;
            for (Precision p : Precision.values()) if (p.id().equals(k)) out.add(p);
        });
        return out;
    }
}
