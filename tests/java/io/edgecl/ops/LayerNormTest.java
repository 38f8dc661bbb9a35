package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LayerNormTest {
    @ParameterizedTest(name = "rows={0} C={1} offset={2} eps={3}")
    @CsvSource({
        // NHWC rows of 2 images of 5x9 pixels
        "90, 45, 0, 1e-6",
        "90, 7, 0, 1e-6",
        // pooled vectors [N, C] before the head
        "3, 13, 0, 1e-6",
        "1, 1, 0, 1e-5",
        // a large common offset: a one-pass E[x²]-E[x]² variance would lose every digit here
        "27, 13, 1000, 1e-6",
        // constant rows: variance 0, the result is beta
        "5, 13, -1, 1e-5",
        // channel counts the CPU kernel takes in vectors of 16, 8 and 4
        "90, 48, 0, 1e-6",
        "33, 168, 0, 1e-6",
        "50, 24, 1000, 1e-6",
        "7, 20, -1, 1e-5"
    })
    void matchesReference(int rows, int c, float offset, float eps) throws Exception {
        try (OpScope s = new OpScope("jocl", rows * 31L + c)) {
            float[] in = s.random(rows * c);
            if (offset < 0) java.util.Arrays.fill(in, 2.5f);
            else for (int i = 0; i < in.length; i++) in[i] += offset;
            float[] gamma = s.random(c), beta = s.random(c);
            float[] ref = floats(HostOps.layerNorm(doubles(in), rows, c, gamma, beta, eps));

            ClBuffer din = s.upload(in, "in"), dg = s.upload(gamma, "gamma"), db = s.upload(beta, "beta");
            ClBuffer dout = s.output(rows * c, "out");
            Launch l = s.own(LayerNorm.create(s.ctx, OpChoices.DEFAULTS, din, dg, db, dout, rows, c, eps));
            s.run(l);
            // normalised values reach sqrt(C) · |gamma| ≈ 20, so allow the float rounding of the inputs
            TestSupport.assertClose(ref, s.read(dout, rows * c), offset > 0 ? 5e-4 : 1e-4, "layernorm");
            OpScope.assertCost(l, 4L * rows * c, 8L * rows * c);

            // in place (out = in) must work too: a row belongs to one work-item, which reads each
            // element before overwriting it
            Launch inPlace = s.own(LayerNorm.create(s.ctx, OpChoices.DEFAULTS, din, dg, db, din, rows, c, eps));
            s.run(inPlace);
            TestSupport.assertClose(ref, s.read(din, rows * c), offset > 0 ? 5e-4 : 1e-4, "layernorm in place");
        }
    }
}
