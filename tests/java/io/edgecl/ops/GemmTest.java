package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GemmTest {
    enum Res {
        NONE,
        SEPARATE,
        ALIASED
    }

    /**
     * Activation per bias/gamma/residual combination (index = bias + 2·gamma + 4·residual): every
     * activation appears, and each combination is one program variant, which keeps cold builds
     * few. The last (all epilogues, residual aliasing C) is the fused GELU block of the networks.
     */
    private static final Act[] ACTS = {
        Act.NONE,
        Act.RELU,
        Act.RELU6,
        Act.HSWISH,
        Act.SILU,
        Act.HSIGMOID,
        Act.SIGMOID,
        Act.GELU,
        Act.NONE,
        Act.HSWISH,
        Act.SILU,
        Act.GELU
    };

    /** Every bias/gamma/residual combination on both bindings. */
    static Stream<Arguments> epilogues() {
        List<Arguments> out = new ArrayList<>();
        for (String binding : new String[] {"jocl", "lwjgl"}) {
            for (int mask = 0; mask < 12; mask++) {
                out.add(Arguments.of(binding, (mask & 1) != 0, ACTS[mask], (mask & 2) != 0, Res.values()[mask >> 2]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} bias={1} act={2} gamma={3} residual={4}")
    @MethodSource("epilogues")
    void epilogue(String binding, boolean hasBias, Act act, boolean hasGamma, Res res) throws Exception {
        // M = 2 images of 5x9 pixels (3x7 on the simulator); none of M, N, K is a multiple of the
        // 32x32x16 tiles
        if (OpScope.simulated(binding)) check(binding, 2 * 3 * 7, 13, 19, 19, 13, hasBias, act, hasGamma, res, 11);
        else check(binding, 2 * 5 * 9, 45, 37, 37, 45, hasBias, act, hasGamma, res, 11);
    }

    static Stream<Arguments> shapes() {
        return Stream.of(
                // m, n, k, lda, ldc: smaller than one tile in every dimension
                Arguments.of("jocl", 3, 7, 5, 5, 7),
                Arguments.of("jocl", 1, 1, 1, 1, 1),
                // exactly one tile, then one element more
                Arguments.of("jocl", 32, 32, 16, 16, 32),
                Arguments.of("jocl", 33, 33, 17, 17, 33),
                // reading a channel slice of A (lda > k) and writing a slice of a wider C (ldc > n)
                Arguments.of("jocl", 3 * 13, 13, 7, 20, 29),
                Arguments.of("lwjgl", 3 * 13, 13, 7, 20, 29),
                // several tiles along K and M
                Arguments.of("jocl", 70, 9, 45, 45, 9),
                Arguments.of("lwjgl", 70, 9, 45, 45, 9),
                // one row (a GEMV): the panel kernel's four chains over the quarters of k, then a tail of three
                Arguments.of("jocl", 1, 37, 67, 67, 37),
                Arguments.of("jocl", 1, 16, 4, 4, 16));
    }

    /**
     * The panel kernel's two work-item orders (rows_inner: the global size is (row tiles,
     * panels)) give the same C, with ragged row tiles and panels, on any device.
     */
    @ParameterizedTest(name = "rows inner {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void panelOrders(boolean rowsInner) throws Exception {
        int m = 13, n = 37, k = 29;
        try (OpScope s = new OpScope("jocl", 21)) {
            float[] a = s.random(m * k), b = s.random(k * n), bias = s.random(n);
            float[] ref = floats(HostOps.gemm(doubles(a), null, m, null, m, k, n, b, bias, Act.RELU, null));
            Gemm.Config cfg = new Gemm.Config(Gemm.Variant.PANEL, 5, 16);
            ClBuffer c = s.output(m * n, "c");
            Launch l = s.own(Gemm.create(
                    s.ctx,
                    OpChoices.DEFAULTS,
                    Gemm.Call.of(s.upload(a, "a"), s.upload(Gemm.layoutB(b, k, n, cfg), "b"), c, m, n, k)
                            .bias(s.upload(bias, "bias"))
                            .act(Act.RELU),
                    cfg,
                    rowsInner));
            s.run(l);
            TestSupport.assertClose(ref, s.read(c, m * n), "panel gemm rows inner " + rowsInner);
        }
    }

    @org.junit.jupiter.api.Test
    void rowsInnerOnlyForLargeWeightsAndSmallInputsOnCpus() {
        var ctx = TestSupport.context();
        boolean cpu = ctx.info().isCpu();
        org.junit.jupiter.api.Assertions.assertEquals(cpu, Gemm.rowsInner(ctx, 49, 960, 160), "7x7, 600 KB of B");
        org.junit.jupiter.api.Assertions.assertFalse(Gemm.rowsInner(ctx, 196, 672, 112), "294 KB of B");
        org.junit.jupiter.api.Assertions.assertFalse(Gemm.rowsInner(ctx, 392, 160, 960), "batch 8: 1.5 MB of A");
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} lda={4} ldc={5}")
    @MethodSource("shapes")
    void oddShapes(String binding, int m, int n, int k, int lda, int ldc) throws Exception {
        check(binding, m, n, k, lda, ldc, true, Act.GELU, true, Res.ALIASED, 12);
        check(binding, m, n, k, lda, ldc, false, Act.NONE, false, Res.NONE, 13);
    }

    private static void check(
            String binding,
            int m,
            int n,
            int k,
            int lda,
            int ldc,
            boolean hasBias,
            Act act,
            boolean hasGamma,
            Res res,
            long seed)
            throws Exception {
        try (OpScope s = new OpScope(binding, seed)) {
            float[] a = s.random(m * lda), b = s.random(k * n);
            float[] bias = hasBias ? s.random(n) : null, gamma = hasGamma ? s.random(n) : null;
            float[] cInit = s.random(m * ldc);
            float[] r = res == Res.SEPARATE ? s.random(m * ldc) : res == Res.ALIASED ? cInit : null;
            float[] ref = floats(HostOps.gemm(
                    doubles(a), lda, null, m, doubles(r), doubles(cInit), ldc, m, k, n, b, bias, act, gamma));

            Gemm.Config cfg = Gemm.config(OpChoices.DEFAULTS, s.ctx, m, n, k);
            ClBuffer da = s.upload(a, "a"), db = s.upload(Gemm.layoutB(b, k, n, cfg), "b"), dc = s.upload(cInit, "c");
            ClBuffer dbias = hasBias ? s.upload(bias, "bias") : null;
            ClBuffer dgamma = hasGamma ? s.upload(gamma, "gamma") : null;
            ClBuffer dr = res == Res.SEPARATE ? s.upload(r, "r") : res == Res.ALIASED ? dc : null;
            Launch l = s.own(Gemm.create(
                    s.ctx,
                    OpChoices.DEFAULTS,
                    Gemm.Call.of(da, db, dc, m, n, k)
                            .strides(lda, ldc)
                            .bias(dbias)
                            .act(act)
                            .gamma(dgamma)
                            .residual(dr),
                    cfg));
            s.run(l);
            // the columns between n and ldc must come back untouched, which the reference copy encodes
            TestSupport.assertClose(
                    ref,
                    s.read(dc, m * ldc),
                    String.format(
                            "gemm %s m=%d n=%d k=%d bias=%s act=%s gamma=%s res=%s",
                            binding, m, n, k, hasBias, act, hasGamma, res));
            OpScope.assertCost(l, 2L * m * n * k, 4L * ((long) m * k + (long) k * n + (long) m * n));
        }
    }
}
