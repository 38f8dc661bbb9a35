package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Plan;
import io.edgecl.ops.KernelChoices;
import io.edgecl.ops.Tuning;
import io.edgecl.tensor.HostTensor;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Full forward passes against the upstream PyTorch outputs: logits and every stage's features. */
public class GoldenModelsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "edgenext_tiny",
                "edgenext_rw_tiny",
                "edgenext_xx_small",
                "edgenext_xx_small_official",
                "convnext_tiny_cfg"
            })
    void fusedAndUnfusedMatchTheReferenceAndEachOther(String name) {
        Map<String, HostTensor> fused = check(name, Set.of());
        Map<String, HostTensor> unfused = check(name, FusionRule.all());
        TestSupport.assertOutputsClose(unfused, fused, name + " fused vs unfused");
    }

    /** fp16 storage (fp32 arithmetic): within 1e-2·max(1, max|ref|) of the reference, same top-1. */
    @ParameterizedTest
    @ValueSource(strings = {"edgenext_tiny", "convnext_tiny_cfg", "mobilenetv1_025", "edgevit_tiny"})
    void fp16StorageStaysClose(String name) {
        ClContext ctx = TestSupport.context();
        ctx.setPrecision(io.edgecl.tensor.Precision.FP16_STORAGE);
        try {
            check(name, Set.of(), 1e-2);
        } finally {
            ctx.setPrecision(io.edgecl.tensor.Precision.FP32);
        }
    }

    public static Map<String, HostTensor> check(String name, Set<FusionRule> disabled) {
        return check(name, disabled, 1e-4);
    }

    /** The LWJGL binding runs whole models too, not only single kernels. */
    @ParameterizedTest
    @ValueSource(strings = {"edgenext_tiny", "edgevit_tiny"})
    void lwjglBinding(String name) {
        check(name, Set.of(), 1e-4, "lwjgl");
    }

    static Map<String, HostTensor> check(String name, Set<FusionRule> disabled, double tolerance) {
        return check(name, disabled, tolerance, "jocl");
    }

    static Map<String, HostTensor> check(String name, Set<FusionRule> disabled, double tolerance, String binding) {
        return check(name, disabled, tolerance, binding, false);
    }

    /** With the choices `edgecl tune` stored in reach (TuneCliTest, in a cache root of its own). */
    public static Map<String, HostTensor> checkTuned(String name) {
        return check(name, Set.of(), 1e-4, "jocl", true);
    }

    /** With {@code family} forced to {@code value} (as `--kernel FAMILY=VALUE` reads it) in place of the device's default. */
    static Map<String, HostTensor> check(String name, io.edgecl.ops.KernelFamily<?> family, String value) {
        return check(name, Set.of(), 1e-4, "jocl", false, KernelChoices.DEFAULTS.forcingParsed(family, value));
    }

    private static Map<String, HostTensor> check(
            String name, Set<FusionRule> disabled, double tolerance, String binding, boolean tuned) {
        return check(name, disabled, tolerance, binding, tuned, KernelChoices.DEFAULTS);
    }

    private static Map<String, HostTensor> check(
            String name,
            Set<FusionRule> disabled,
            double tolerance,
            String binding,
            boolean tuned,
            KernelChoices given) {
        GoldenCase gc = GoldenCase.load(name);
        VisionModel model = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = firstImages(gc.io(), Integer.getInteger(IMAGES_PROPERTY, 0));
        HostTensor input = io.get("input");
        int[] s = input.shape();
        Graph g = model.build(w, s[0], s[2], s[3]);
        w.finish();
        assertEquals(gc.numParams(), w.paramCount(), "parameter count");
        FusionScheduler.apply(g, disabled);
        ClContext ctx = TestSupport.context(binding);
        ctx.placeholder(); // the context's own, created on first use
        int live = ctx.liveBuffers();
        // the defaults are what is checked here, whatever a tuning file holds: a plan sees tuned
        // choices only when given them
        KernelChoices choices = tuned ? given.withTuned(Tuning.snapshot(ctx.info())) : given;
        try (Plan plan = new Plan(ctx, g, choices)) {
            plan.poisonActivations(); // unwritten outputs show as NaN
            plan.run(input);
            Map<String, HostTensor> out = plan.readAll();
            TestSupport.assertOutputsClose(io, out, tolerance, name);
            assertSameTopClass(model, io, out, tolerance, name);
            return out;
        } finally {
            assertEquals(live, ctx.liveBuffers(), "closing the plan releases every buffer it made");
        }
    }

    /**
     * Checks only the first N images of each fixture when set (the simulator check: a forward on
     * Oclgrind costs minutes per image; every image takes the same code paths).
     */
    static final String IMAGES_PROPERTY = "edgecl.test.images";

    /** The fixture's tensors cut to their first {@code n} images (all of them when n <= 0). */
    static Map<String, HostTensor> firstImages(Map<String, HostTensor> io, int n) {
        if (n <= 0) return io;
        Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
        io.forEach((k, t) -> {
            int[] s = t.shape().clone();
            if (s[0] <= n) {
                out.put(k, t);
                return;
            }
            int per = t.data().length / s[0];
            s[0] = n;
            out.put(k, new HostTensor(s, java.util.Arrays.copyOf(t.data(), per * n)));
        });
        return out;
    }

    static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    /** The reference's top-1 class for each image, or for each pixel of a segmenter's dense scores. */
    static void assertSameTopClass(
            VisionModel model, Map<String, HostTensor> io, Map<String, HostTensor> out, double tolerance, String name) {
        String primary = model.primaryOutput();
        HostTensor got = out.get(primary), ref = io.get(primary);
        if (got.shape().length == 4) {
            assertSameClassPerPixel(ref, got, tolerance, name);
            return;
        }
        float[] logits = got.data(), want = ref.data();
        int classes = model.numClasses();
        for (int b = 0; b < got.shape()[0]; b++) {
            assertEquals(
                    argmax(want, b * classes, classes),
                    argmax(logits, b * classes, classes),
                    name + ": top-1 of image " + b);
        }
    }

    /**
     * Dense scores [N, classes, H, W]: every pixel has the reference's top class, except where the
     * reference's best two are closer than the tolerance allows to tell apart.
     */
    static void assertSameClassPerPixel(HostTensor ref, HostTensor got, double tolerance, String what) {
        int[] sh = ref.shape();
        int n = sh[0], c = sh[1], hw = sh[2] * sh[3];
        float[] r = ref.data(), g = got.data();
        double scale = 0;
        for (float v : r) scale = Math.max(scale, Math.abs(v));
        double tieBelow = 2 * tolerance * Math.max(1, scale);
        int compared = 0;
        for (int b = 0; b < n; b++)
            for (int p = 0; p < hw; p++) {
                int br = 0, bg = 0;
                float first = Float.NEGATIVE_INFINITY, second = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    float v = r[(b * c + k) * hw + p];
                    if (v > first) {
                        second = first;
                        first = v;
                        br = k;
                    } else if (v > second) second = v;
                    if (g[(b * c + k) * hw + p] > g[(b * c + bg) * hw + p]) bg = k;
                }
                if (first - second < tieBelow) continue;
                compared++;
                assertEquals(br, bg, what + ": class of pixel " + p + " of image " + b);
            }
        org.junit.jupiter.api.Assertions.assertTrue(
                compared > n * hw / 2, what + ": only " + compared + " of " + n * hw + " pixels without a near-tie");
    }
}
