package io.edgecl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgecl.export.OnnxExport;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.models.Models;
import io.edgecl.models.Weights;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-block comparison's attribution of ONNX Runtime's profiled nodes to EdgeCL's blocks. */
class ByBlockComparisonTest {
    @Test
    void nodeNamesMapToBlocks() {
        // EdgeCL's own node names, ORT's NCHWc nodes (named after their outputs) and intermediate outputs
        assertEquals("blocks.2.0", ByBlockComparison.blockOf("blocks.2.0|blocks.2.0.pw_exp.conv/Conv_17"));
        assertEquals("blocks.0.0", ByBlockComparison.blockOf("t6_blocks.0.0|blocks.0.0.bn1.act_nchwc"));
        assertEquals("blocks.3.8", ByBlockComparison.blockOf("tmp87_blocks.3.8|_nchwc"));
        assertEquals("conv_stem", ByBlockComparison.blockOf("t2_conv_stem|conv_stem.act_nchwc"));
        assertEquals(ByBlockComparison.ORT_ADDED, ByBlockComparison.blockOf("ReorderOutput_token_256"));
    }

    /**
     * A real profile: ONNX Runtime runs EdgeCL's export of a hybrid MobileNetV4 (NCHWc convolutions,
     * fused attention) and nearly all of its node time lands in the graph's blocks.
     */
    @Test
    void onnxRuntimeProfileLandsInTheGraphsBlocks() throws Exception {
        Graph g = Models.byName("mobilenetv4_hybrid_medium").build(Weights.synthetic(0L), 1, 64, 64);
        Set<String> blocks = new HashSet<>();
        for (Node n : g.nodes()) blocks.add(n.block().name());
        Path dir = Files.createTempDirectory("ort-profile");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String file;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.enableProfiling(dir.resolve("p").toString());
            try (OrtSession ort = env.createSession(OnnxExport.export(g, "m"), opts);
                    OnnxTensor t = OnnxTensor.createTensor(
                            env, FloatBuffer.allocate(3 * 64 * 64), new long[] {1, 3, 64, 64})) {
                for (int i = 0; i < 3; i++) ort.run(Map.of("input", t)).close();
                file = ort.endProfiling();
            }
        }
        Map<String, Object[]> rows = ByBlockComparison.ortBlocks(Files.readString(Path.of(file)), 1);
        double inBlocks = 0, added = 0;
        for (Map.Entry<String, Object[]> e : rows.entrySet()) {
            if (e.getKey().equals("\tforward")) continue;
            double us = (Double) e.getValue()[0];
            if (e.getKey().equals(ByBlockComparison.ORT_ADDED)) added += us;
            else {
                assertTrue(blocks.contains(e.getKey()), "not a block of the graph: " + e.getKey() + " in " + blocks);
                inBlocks += us;
            }
        }
        assertTrue(rows.size() > blocks.size() / 2, "blocks found: " + rows.keySet());
        assertTrue(
                added < 0.25 * (added + inBlocks),
                "ORT's own nodes took " + added + " of " + (added + inBlocks) + " us");
        assertTrue((Double) rows.get("\tforward")[0] > 0, "a forward's time");
        Files.deleteIfExists(Path.of(file));
    }
}
