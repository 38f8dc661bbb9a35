package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The squeeze-excite gate in one launch (se_excite) and in two (se_reduce, se_expand: work-groups
 * splitting each weight matrix into blocks of rows), against the reference: channel and hidden
 * counts off the vector width, blocks that do not divide them, a block past the channels, the
 * pooled sums read from activations and from partial sums.
 */
class SqueezeExciteTest {
    @ParameterizedTest(name = "n={0} hw={1} c={2} cr={3} groups={4} parts={5}")
    @CsvSource({
        "1, 9, 60, 15, 0, false",
        "1, 9, 60, 15, 1, false",
        "1, 9, 60, 15, 4, false",
        "2, 5, 67, 13, 3, true",
        "1, 4, 24, 6, 4, true",
        "3, 7, 40, 20, 2, false",
        "1, 16, 168, 42, 4, true"
    })
    void oneOrTwoLaunchesMatchTheReference(int n, int hw, int c, int cr, int groups, boolean parts) throws Exception {
        try (OpScope s = new OpScope("jocl", 11 + c)) {
            int vw = SqueezeExcite.vectorWidth(s.ctx);
            float[] x = s.random(n * hw * c), w1 = s.random(c * cr), b1 = s.random(cr);
            float[] w2 = s.random(cr * c), b2 = s.random(c);
            double[] pooled = HostOps.avgPool(doubles(x), n, hw, c);
            double[] hidden = HostOps.gemm(pooled, null, 1, null, n, c, cr, w1, b1, Act.RELU, null);
            double[] ref = HostOps.gemm(hidden, null, 1, null, n, cr, c, w2, b2, Act.HSIGMOID, null);
            // the pool's partial sums as a producer leaves them: [n, rows, c], here one row a pixel
            // group of two (rows = ceil(hw / 2))
            int rows = parts ? (hw + 1) / 2 : hw;
            float[] in = x;
            if (parts) {
                in = new float[n * rows * c];
                for (int i = 0; i < n; i++)
                    for (int p = 0; p < hw; p++)
                        for (int ch = 0; ch < c; ch++) in[(i * rows + p / 2) * c + ch] += x[(i * hw + p) * c + ch];
            }
            SqueezeExcite.Convs convs = new SqueezeExcite.Convs(
                    s.upload(w1, "w1"),
                    s.upload(b1, "b1"),
                    Act.RELU,
                    s.upload(w2, "w2"),
                    s.upload(b2, "b2"),
                    Act.HSIGMOID,
                    s.upload(SqueezeExcite.transpose(w2, cr, c), "w2t"));
            ClBuffer gate = s.output(n * c, "gate");
            ClBuffer hparts = groups > 0 ? s.output(n * groups * (int) Launch.roundUp(cr, vw), "hparts") : null;
            List<Launch> ls = s.own(SqueezeExcite.gate(
                    s.ctx, s.upload(in, "x"), parts, rows, convs, gate, hparts, n, hw, c, cr, groups));
            assertEquals(groups == 0 ? 1 : 2, ls.size());
            assertEquals(
                    groups == 0 ? List.of("se_excite") : List.of("se_reduce", "se_expand"),
                    ls.stream().map(Launch::kernelName).toList());
            for (Launch l : ls) OpScope.assertCost(l, (long) n * c * cr, 4L * c * cr);
            s.run(ls.toArray(new Launch[0]));
            TestSupport.assertClose(floats(ref), s.read(gate, n * c), "gate n=" + n + " c=" + c + " cr=" + cr);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"one, 0", "two, 1"})
    void aForcedFormHoldsForAnyGate(String form, int atLeast) throws Exception {
        try (OpScope s = new OpScope("jocl", 1)) {
            OpChoices forced = OpChoices.forcing(KernelFamily.SE_EXCITE, KernelFamily.SE_EXCITE.parse(form));
            for (int[] g : new int[][] {{24, 6, 1}, {672, 168, 1}, {672, 168, 64}}) {
                int groups = SqueezeExcite.splitGroups(forced, s.ctx, g[2], g[0], g[1]);
                assertTrue(
                        atLeast == 0 ? groups == 0 : groups >= atLeast,
                        form + " " + List.of(g[0], g[1], g[2]) + ": " + groups);
            }
        }
    }

    @ParameterizedTest(name = "c={0} cr={1} n={2}")
    @CsvSource({"672, 168, 1, true", "480, 120, 1, true", "120, 32, 1, false", "672, 168, 8, false"})
    void twoLaunchesOnlyForWideGatesAtSmallBatchesOnCpus(int c, int cr, int n, boolean split) throws Exception {
        try (OpScope s = new OpScope("jocl", 1)) {
            int groups = SqueezeExcite.splitGroups(OpChoices.DEFAULTS, s.ctx, n, c, cr);
            boolean expect = split
                    && s.ctx.info().isCpu()
                    && n < 2 * Math.max(1, s.ctx.info().computeUnits());
            assertEquals(
                    expect,
                    groups > 0,
                    "groups " + groups + " on " + s.ctx.info().name());
            if (groups > 0) {
                assertTrue(groups <= (c + SqueezeExcite.vectorWidth(s.ctx) - 1) / SqueezeExcite.vectorWidth(s.ctx));
                assertEquals(
                        4L * n * groups * Launch.roundUp(cr, SqueezeExcite.vectorWidth(s.ctx)),
                        SqueezeExcite.hiddenPartsBytes(s.ctx, groups, n, cr));
            } else {
                assertEquals(0, SqueezeExcite.hiddenPartsBytes(s.ctx, groups, n, cr));
            }
        }
    }
}
