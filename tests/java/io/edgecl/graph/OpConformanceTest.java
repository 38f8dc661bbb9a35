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
