package io.edgecl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        Set<String> blocks = Set.of("stem", "stages.0.blocks.1", "stages.1.downsample", "blocks.2.0", "blocks.0.0");
        // EdgeCL's own node names, ORT's NCHWc nodes (named after their outputs) and intermediate outputs
        assertEquals("blocks.2.0", ByBlockComparison.blockOf("blocks.2.0|blocks.2.0.pw_exp.conv/Conv_17", blocks));
        assertEquals("blocks.0.0", ByBlockComparison.blockOf("t6_blocks.0.0|blocks.0.0.bn1.act_nchwc", blocks));
        assertEquals("blocks.3.8", ByBlockComparison.blockOf("tmp87_blocks.3.8|_nchwc", blocks));
        assertEquals("conv_stem", ByBlockComparison.blockOf("t2_conv_stem|conv_stem.act_nchwc", blocks));
        // torch.onnx's scoped names: the module path's longest block prefix
        assertEquals(
                "stages.0.blocks.1",
                ByBlockComparison.blockOf("/stages/stages.0/blocks/blocks.1/conv_dw/Conv_output_0_nchwc", blocks));
        assertEquals("stem", ByBlockComparison.blockOf("/stem/stem.0/Conv_output_0_nchwc", blocks));
        assertEquals(
                "stages.1.downsample",
                ByBlockComparison.blockOf("/stages/stages.1/downsample/downsample.0/LayerNormalization", blocks));
        assertNull(ByBlockComparison.blockOf("/stages/stages.3/blocks/blocks.0/Add", blocks));
        // names ORT made: no block
        assertNull(ByBlockComparison.blockOf("ReorderOutput_token_256", blocks));
        assertNull(ByBlockComparison.blockOf("BiasGelu_token_64", blocks));
    }

    /** A node ORT fused and renamed counts to the block before it; its layout reorders to a row of their own. */
    @Test
    void unnamedNodesFollowTheNodeBefore() {
        String trace = "[" + node("t6_blocks.0.0|blocks.0.0.conv_nchwc", "Conv", 10)
                + "," + node("HardSigmoid_token_3", "HardSigmoid", 2)
                + "," + node("ReorderOutput_token_9", "ReorderOutput", 5)
                + "," + node("blocks.0.1|blocks.0.1.conv/Conv_9", "Conv", 7)
                + ",{\"cat\":\"Session\",\"name\":\"model_run\",\"dur\":30}]";
        Map<String, Object[]> rows = ByBlockComparison.ortBlocks(trace, 0, Set.of("blocks.0.0", "blocks.0.1"));
        assertEquals(12.0, (Double) rows.get("blocks.0.0")[0], 1e-9);
        assertEquals("Conv+HardSigmoid", rows.get("blocks.0.0")[1]);
        assertEquals(7.0, (Double) rows.get("blocks.0.1")[0], 1e-9);
        assertEquals(5.0, (Double) rows.get(ByBlockComparison.ORT_ADDED)[0], 1e-9);
        assertEquals(30.0, (Double) rows.get("\tforward")[0], 1e-9);
    }

    private static String node(String name, String op, double us) {
        return "{\"cat\":\"Node\",\"name\":\"" + name + "_kernel_time\",\"dur\":" + us + ",\"args\":{\"op_name\":\""
                + op + "\"}}";
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
        Map<String, Object[]> rows = ByBlockComparison.ortBlocks(Files.readString(Path.of(file)), 1, blocks);
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
