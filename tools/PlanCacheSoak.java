import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.models.DemoModel;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Soak of a session's plan cache: FORWARDS forwards of the demo model over 50 input shapes (7 × 7
 * image sizes from 32 to 224 pixels a side, and a batch of 2), drawn in a seeded random order,
 * in a session whose cache holds at most 8 plans and 3 times the largest shape's activation bytes.
 * After every forward the cache must be within both bounds, and every output must equal the
 * first one computed for its shape bit for bit (a plan rebuilt after its eviction computes the
 * same). A row every tenth of the run: plans held and built, activation and device bytes, the
 * Java heap after a collection. Exit status 1 when a bound or an output failed, the heap grew by
 * more than 16 MB after the first tenth, or the device bytes beside the plans' activations (the
 * weights, shared by every plan, and each plan's input and output) grew by more than 8 plans'
 * input and output.
 *
 * <p>Usage: java -cp target/edgecl-0.1.0-cli.jar tools/PlanCacheSoak.java [FORWARDS]   (10000)
 */
public class PlanCacheSoak {
    public static void main(String[] a) {
        int forwards = a.length > 0 ? Integer.parseInt(a[0]) : 10_000;
        VisionModel model = DemoModel.load();
        List<int[]> shapes = new ArrayList<>(); // {batch, h, w}
        for (int h = 32; h <= 224; h += 32) for (int w = 32; w <= 224; w += 32) shapes.add(new int[] {1, h, w});
        shapes.add(new int[] {2, 32, 32});
        Random r = new Random(2026);
        List<HostTensor> inputs = new ArrayList<>();
        for (int[] s : shapes) {
            float[] x = new float[s[0] * 3 * s[1] * s[2]];
            for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
            inputs.add(new HostTensor(new int[] {s[0], 3, s[1], s[2]}, x));
        }
        long largest;
        try (Session probe = Session.open(model, DemoModel.weights(), SessionOptions.defaults())) {
            largest = probe.prepare(1, 224, 224).activationBytes();
        }
        long bound = 3 * largest;
        int maxPlans = 8;
        List<String> failures = new ArrayList<>();
        float[][] first = new float[shapes.size()][];
        try (Session s = Session.open(
                model, DemoModel.weights(), SessionOptions.defaults().withPlanCache(maxPlans, bound))) {
            System.out.printf(
                    Locale.ROOT,
                    "%d forwards over %d shapes; the cache holds at most %d plans and %.2f MB of activations%n",
                    forwards,
                    shapes.size(),
                    maxPlans,
                    bound / 1e6);
            System.out.println("| forwards | plans | built | activations MB | device MB | device beside activations MB"
                    + " | heap after GC MB | ms per forward |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            long heap0 = -1, beside0 = -1, maxActivations = 0, t0 = System.nanoTime();
            // what a plan holds beside its activations: its input and output buffers
            long staging = 4L * (3 * 224 * 224 + 2 * 10);
            for (int f = 1; f <= forwards; f++) {
                int i = r.nextInt(shapes.size());
                float[] logits = s.run(inputs.get(i)).get("logits").data();
                if (first[i] == null) first[i] = logits;
                else if (!Arrays.equals(first[i], logits) && failures.size() < 5) {
                    failures.add("shape " + Arrays.toString(shapes.get(i)) + " gave other logits at forward " + f);
                }
                Session.PlanCacheStats c = s.planCache();
                maxActivations = Math.max(maxActivations, c.activationBytes());
                if ((c.plans() > maxPlans || c.activationBytes() > bound) && failures.size() < 5) {
                    failures.add("over the bound after forward " + f + ": " + c);
                }
                if (f % Math.max(1, forwards / 10) == 0) {
                    long heap = heapAfterGc(), device = s.device().liveBytes();
                    long beside = device - c.activationBytes();
                    if (heap0 < 0) {
                        heap0 = heap;
                        beside0 = beside;
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "| %d | %d | %d | %.2f | %.2f | %.2f | %.1f | %.2f |%n",
                            f,
                            c.plans(),
                            c.built(),
                            c.activationBytes() / 1e6,
                            device / 1e6,
                            beside / 1e6,
                            heap / 1e6,
                            (System.nanoTime() - t0) / 1e6 / f);
                    if (heap > heap0 + (16L << 20)) failures.add("heap grew " + heap0 + " -> " + heap);
                    // the weights are shared by every plan: beside the activations only the plans'
                    // own input and output buffers come and go
                    if (beside > beside0 + maxPlans * staging) {
                        failures.add("device bytes beside the activations grew " + beside0 + " -> " + beside);
                    }
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "largest activations held: %.2f MB of %.2f MB allowed%n",
                    maxActivations / 1e6,
                    bound / 1e6);
        }
        if (failures.isEmpty()) {
            System.out.println("plan-cache soak: ok");
        } else {
            System.out.println("plan-cache soak: FAILED: " + String.join("; ", failures));
            System.exit(1);
        }
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
