package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.edgecl.TestSupport;
import io.edgecl.export.OnnxExport;
import io.edgecl.tensor.HostTensor;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op, in each of its forms, on odd shapes with random weights: the device launches
 * ({@link OpSpec#lower}) and the ONNX nodes ({@link OpSpec#onnx}, run by ONNX Runtime) both
 * reproduce the host reference ({@link OpSpec#reference}). A test fails when an op has no sample
 * here, so a new op cannot skip the three checks.
 */
class OpConformanceTest {
    private static final int N = 2;

    static List<OpSamples.Sample> samples() {
        return OpSamples.all();
    }

    @Test
    void everyOpHasASample() {
        Set<String> ops = new TreeSet<>(), covered = new TreeSet<>();
        for (Class<?> c : OpSpec.class.getPermittedSubclasses()) ops.add(c.getSimpleName());
        for (OpSamples.Sample s : OpSamples.all()) covered.add(s.op().getSimpleName());
        ops.removeAll(covered);
        assertTrue(ops.isEmpty(), "ops without a conformance sample: " + ops);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void deviceAndOnnxMatchTheReference(OpSamples.Sample sample) throws Exception {
        Graph g = OpSamples.build(sample);
        HostTensor input = OpSamples.input(g);
        float[] ref = HostEval.run(g, input).get("logits").data();
        float[] dev;
        try (Plan plan = new Plan(TestSupport.context(), g)) {
            plan.run(input);
            dev = plan.read("logits").data();
        }
        TestSupport.assertClose(ref, dev, sample + " on the device");
        TestSupport.assertClose(ref, onnxRuntime(OnnxExport.export(g, sample.name()), input), sample + " via ONNX");
    }

    /**
     * Pool partial sums live in the plan's shared scratch: a gate that is not the op right after
     * their producer pools the tensor itself, whatever the producer was told (rule se-pool).
     */
    @Test
    void poolSumsAreReadOnlyByTheNextOp() throws Exception {
        java.util.Random r = new java.util.Random(5);
        Graph g = OpSamples.graph(6, 9, 16, (gr, x) -> {
            Block b = gr.block("b", "t");
            Value y = gr.add(
                    b,
                    "dw",
                    new DwConvOp(OpSamples.t(r, 0.3f, 3, 3, 16), null, 3, 3, 1, 1, 1, 1, io.edgecl.ops.Act.NONE)
                            .withSePool(),
                    x);
            Value z = gr.add(b, "act", new ActivationOp(io.edgecl.ops.Act.HSWISH), y);
            Value gate = gr.add(
                    b,
                    "se",
                    new SqueezeExciteOp(
                            new GemmOp(
                                    OpSamples.t(r, 0.4f, 16, 8),
                                    OpSamples.t(r, 0.1f, 8),
                                    io.edgecl.ops.Act.RELU,
                                    null,
                                    false),
                            new GemmOp(
                                    OpSamples.t(r, 0.4f, 8, 16),
                                    OpSamples.t(r, 0.5f, 16),
                                    io.edgecl.ops.Act.SIGMOID,
                                    null,
                                    false)),
                    y);
            return gr.add(b, "gate", new ChannelGateOp(), z, gate);
        });
        HostTensor input = OpSamples.input(g);
        try (Plan plan = new Plan(TestSupport.context(), g)) {
            plan.run(input);
            TestSupport.assertClose(
                    HostEval.run(g, input).get("logits").data(),
                    plan.read("logits").data(),
                    "gate two ops on");
            List<String> gates = plan.launches().stream()
                    .filter(l -> l.kernelName().equals("se_excite"))
                    .map(io.edgecl.ops.Launch::program)
                    .toList();
            assertEquals(1, gates.size(), "one gate launch");
            assertTrue(gates.get(0).contains("SE_PARTS=0"), "the gate pools the tensor itself: " + gates);
        }
    }

    static float[] onnxRuntime(byte[] model, HostTensor input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int[] s = input.shape();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, opts);
                    OnnxTensor t = OnnxTensor.createTensor(
                            env, FloatBuffer.wrap(input.data()), new long[] {s[0], s[1], s[2], s[3]});
                    OrtSession.Result r = session.run(Map.of("input", t))) {
                float[][] out = (float[][]) r.get(0).getValue();
                float[] flat = new float[out.length * out[0].length];
                for (int b = 0; b < out.length; b++)
                    System.arraycopy(out[b], 0, flat, b * out[b].length, out[b].length);
                assertEquals(s[0], out.length);
                return flat;
            }
        }
    }
}
