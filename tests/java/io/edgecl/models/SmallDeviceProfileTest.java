package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.TestSupport;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClDevice;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Plan;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden suite on this device made to look like a small embedded GPU: work-groups of at most
 * 64 items, 16 KiB of local memory, 128 MiB per allocation, 1 GiB in all, and the kernel
 * variants GPUs get (local-memory GEMM tiles, work-group reductions). Every fixture passes, or
 * a model that cannot fit is refused before it runs with a message naming the limit.
 */
class SmallDeviceProfileTest {
    static final String PROFILE = "wg=64,local=16k,alloc=128m,global=1g,type=gpu";
    private static ClContext small;

    @BeforeAll
    static void open() {
        ClDevice d = TestSupport.context().device();
        small = new ClContext(
                new ClDevice(d.binding(), d.platform(), d.device(), d.info().limitedTo(PROFILE)));
    }

    @AfterAll
    static void close() {
        if (small != null) small.close();
    }

    static List<String> cases() {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (Path root :
                List.of(Path.of("tests/resources/golden"), TestSupport.shared().resolve("golden"))) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.list(root)) {
                s.filter(p -> Files.isRegularFile(p.resolve("case.json")))
                        .map(p -> p.getFileName().toString())
                        .forEach(out::add);
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        }
        if (out.isEmpty()) TestSupport.requirePath(TestSupport.shared().resolve("golden"));
        return new ArrayList<>(out);
    }

    @Test
    void theProfileIsApplied() {
        DeviceInfo i = small.info();
        assertEquals(64, i.maxWorkGroupSize());
        assertEquals(16 << 10, i.localMemBytes());
        assertEquals(128L << 20, i.maxAllocBytes());
        assertTrue(i.isGpu());
    }

    /** First image of every fixture (every image takes the same kernels), logits and features within 1e-4, same top-1. */
    @ParameterizedTest
    @MethodSource("cases")
    void goldenCasePasses(String name) {
        GoldenCase gc = GoldenCase.load(name);
        VisionModel model = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = GoldenModelsTest.firstImages(gc.io(), 1);
        HostTensor input = io.get("input");
        int[] s = input.shape();
        Graph g = gc.featuresOnly() ? model.buildFeatures(w, s[0], s[2], s[3]) : model.build(w, s[0], s[2], s[3]);
        w.finish();
        FusionScheduler.apply(g, Set.of());
        try (Plan plan = new Plan(small, g)) {
            plan.poisonActivations(); // unwritten outputs show as NaN
            plan.run(input);
            Map<String, HostTensor> out = plan.readAll();
            // a detector's fixture also holds what its host post-processing gives (anchors, boxes):
            // the device's part is every output the plan produced; a 1x1 map reads as [N, C]
            Map<String, HostTensor> want = new java.util.LinkedHashMap<>();
            for (String k : out.keySet()) {
                HostTensor ref = io.get(k);
                if (ref != null && ref.numel() == out.get(k).numel())
                    ref = ref.reshape(out.get(k).shape());
                want.put(k, ref);
            }
            TestSupport.assertOutputsClose(want, out, name + " on the small profile");
            if (!gc.featuresOnly()) {
                GoldenModelsTest.assertSameTopClass(model, io, out, 1e-4, name + " on the small profile");
            }
        }
    }

    /** A model larger than the device's allocation limit is refused when planned, naming the limit. */
    @Test
    void aModelThatCannotFitIsRefusedUpFront() {
        ClDevice d = TestSupport.context().device();
        try (ClContext tiny = new ClContext(
                new ClDevice(d.binding(), d.platform(), d.device(), d.info().limitedTo("alloc=256k,type=gpu")))) {
            Weights w = Weights.synthetic(1L);
            Graph g = Models.byName("edgenext_xx_small").build(w, 1, 256, 256);
            EdgeClException e = assertThrows(EdgeClException.class, () -> new Plan(tiny, g).close());
            assertTrue(e.getMessage().contains("allows at most 256"), e.getMessage());
        }
        try (ClContext tiny = new ClContext(
                new ClDevice(d.binding(), d.platform(), d.device(), d.info().limitedTo("global=8m,type=gpu")))) {
            Weights w = Weights.synthetic(1L);
            Graph g = Models.byName("edgenext_xx_small").build(w, 1, 256, 256);
            EdgeClException e = assertThrows(EdgeClException.class, () -> new Plan(tiny, g).close());
            assertTrue(e.getMessage().contains("of device memory"), e.getMessage());
        }
    }
}
