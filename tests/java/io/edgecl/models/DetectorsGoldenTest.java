package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Plan;
import io.edgecl.tensor.HostTensor;
import io.edgecl.tensor.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * torchvision's SSDLite end to end against torchvision itself: the transform of an image that is
 * not 320x320, every level's features, the head's raw outputs (fused and unfused), the anchors,
 * and the detections after NMS mapped back to the image.
 */
class DetectorsGoldenTest {
    private static final String CASE = "ssdlite320_mobilenet_v3_large_035";

    static Map<String, HostTensor> run(VisionModel model, Weights w, HostTensor input, Set<FusionRule> off) {
        int[] s = input.shape();
        Graph g = model.build(w, s[0], s[2], s[3]);
        w.finish();
        FusionScheduler.apply(g, off);
        try (Plan plan = new Plan(TestSupport.context(), g)) {
            plan.poisonActivations();
            plan.run(input);
            return plan.readAll();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void headOutputsAndFeaturesMatchTorchvision(boolean fused) {
        GoldenCase gc = GoldenCase.load(CASE);
        Detectors model = (Detectors) Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        Map<String, HostTensor> out = run(model, w, io.get("input"), fused ? Set.of() : FusionRule.all());
        assertEquals(gc.numParams(), w.paramCount(), "parameter count");
        for (String k : List.of(
                "bbox_regression",
                "cls_logits",
                "features.0",
                "features.1",
                "features.2",
                "features.3",
                "features.4",
                "features.5")) {
            // a 1x1 map reads as [N, C], as a pooled vector does
            assertEquals(io.get(k).numel(), out.get(k).numel(), k);
            TestSupport.assertClose(io.get(k).data(), out.get(k).data(), CASE + " " + k);
        }
    }

    /** fp16 storage (fp32 arithmetic): the head's outputs within 1e-2·max(1, max|ref|) of torchvision. */
    @Test
    void fp16StorageStaysClose() {
        GoldenCase gc = GoldenCase.load(CASE);
        Detectors model = (Detectors) Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        var ctx = TestSupport.context();
        ctx.setPrecision(Precision.FP16_STORAGE);
        try {
            Map<String, HostTensor> out = run(model, w, io.get("input"), Set.of());
            for (String k : model.headOutputs())
                TestSupport.assertClose(io.get(k).data(), out.get(k).data(), 1e-2, k);
        } finally {
            ctx.setPrecision(Precision.FP32);
        }
    }

    @Test
    void theTransformIsTorchvisions() {
        GoldenCase gc = GoldenCase.load(CASE);
        Detectors model = (Detectors) Models.fromSpec(gc.spec());
        Map<String, HostTensor> io = gc.io();
        TestSupport.assertClose(
                io.get("input").data(), model.transform(io.get("image")).data(), "transform");
    }

    @Test
    void anchorsAreTorchvisions() {
        GoldenCase gc = GoldenCase.load(CASE);
        Map<String, HostTensor> io = gc.io();
        List<int[]> grids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int[] s = io.get("features." + i).shape();
            grids.add(new int[] {s[2], s[3]});
        }
        for (int i = 0; i < 6; i++)
            assertEquals(
                    List.of(grids.get(i)[0], grids.get(i)[1]),
                    List.of(
                            Detectors.grids(320, 320).get(i)[0],
                            Detectors.grids(320, 320).get(i)[1]));
        float[][] a = SsdPostprocess.anchors(grids, 320, 320);
        float[] flat = new float[a.length * 4];
        for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, flat, 4 * i, 4);
        TestSupport.assertClose(io.get("anchors").data(), flat, "anchors");
    }

    /**
     * The detections from EdgeCL's head outputs equal torchvision's: same labels, scores within
     * 1e-4, boxes within 1e-2 px. A detection may be missing on one side only where a near-tie
     * decides it (a score within 1e-4 of the last one kept, or of an overlapping box of its class).
     */
    @Test
    void detectionsMatchTorchvisions() {
        GoldenCase gc = GoldenCase.load(CASE);
        Detectors model = (Detectors) Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        Map<String, HostTensor> io = gc.io();
        Map<String, HostTensor> out = run(model, w, io.get("input"), Set.of());
        int[] img = io.get("image").shape();
        SsdPostprocess.Detections d = model.postprocess()
                .detect(
                        out.get("bbox_regression"),
                        out.get("cls_logits"),
                        Detectors.anchors(320, 320),
                        0,
                        320,
                        320,
                        img[2],
                        img[3]);
        assertSameDetections(io, d, "torchvision");
    }

    /**
     * {@code d} equals the fixture's detections ("boxes", "scores", "labels" of {@code io}): same
     * labels, scores within 1e-4, boxes within 1e-2 px. A detection may be missing on one side
     * only where a near-tie decides it (a score within 1e-4 of the last one kept, or of another
     * of its class).
     */
    static void assertSameDetections(Map<String, HostTensor> io, SsdPostprocess.Detections d, String upstream) {
        assertSameDetections(io, d, upstream, 11);
    }

    /** {@link #assertSameDetections} where the reference has at least {@code least} detections. */
    static void assertSameDetections(
            Map<String, HostTensor> io, SsdPostprocess.Detections d, String upstream, int least) {
        float[] refBoxes = io.get("boxes").data(), refScores = io.get("scores").data();
        float[] refLabels = io.get("labels").data();
        int n = refScores.length;
        assertTrue(n >= least, "the reference has detections to compare");
        float last = n > 0 ? refScores[n - 1] : Float.NaN;
        int matched = 0;
        for (int i = 0; i < n; i++) {
            boolean found = false;
            for (int j = 0; j < d.size() && !found; j++) {
                found = d.labels()[j] == (int) refLabels[i]
                        && Math.abs(d.scores()[j] - refScores[i]) <= 1e-4
                        && Math.abs(d.boxes()[j][0] - refBoxes[4 * i]) <= 1e-2
                        && Math.abs(d.boxes()[j][1] - refBoxes[4 * i + 1]) <= 1e-2
                        && Math.abs(d.boxes()[j][2] - refBoxes[4 * i + 2]) <= 1e-2
                        && Math.abs(d.boxes()[j][3] - refBoxes[4 * i + 3]) <= 1e-2;
            }
            if (found) {
                matched++;
                continue;
            }
            boolean tie = Math.abs(refScores[i] - last) <= 1e-4;
            for (int j = 0; j < n && !tie; j++) {
                tie = j != i && refLabels[j] == refLabels[i] && Math.abs(refScores[j] - refScores[i]) <= 1e-4;
            }
            assertTrue(
                    tie,
                    upstream + "'s detection " + i + " (label " + (int) refLabels[i] + ", score " + refScores[i]
                            + ") is missing and no near-tie explains it");
        }
        assertEquals(n, d.size(), "as many detections");
        assertTrue(matched >= n - 2, matched + " of " + n + " matched");
    }
}
