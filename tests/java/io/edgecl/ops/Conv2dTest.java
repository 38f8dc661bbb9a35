package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Conv2dTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // n, h, w, cin, cout, kh, kw, stride, padH, padW, bias, act
                Arguments.of(2, 5, 9, 7, 13, 3, 3, 1, 1, 1, true, Act.NONE),
                // patchify stem: kernel = stride, no padding, trailing rows/columns dropped
                Arguments.of(2, 9, 13, 3, 13, 4, 4, 4, 0, 0, true, Act.NONE),
                // 2x2 stride-2 downsampling of odd sizes
                Arguments.of(3, 5, 7, 13, 45, 2, 2, 2, 0, 0, true, Act.NONE),
                // non-square kernel with different paddings and a stride, no bias
                Arguments.of(2, 7, 9, 5, 7, 3, 5, 2, 1, 2, false, Act.RELU),
                // padding wider than the kernel reach on one side, activation epilogue
                Arguments.of(1, 6, 5, 4, 9, 5, 3, 1, 2, 1, true, Act.GELU),
                Arguments.of(2, 5, 9, 13, 7, 1, 1, 1, 0, 0, true, Act.HSWISH),
                // 3x3 stride 2 stem on a 1-pixel-high input
                Arguments.of(2, 1, 9, 3, 7, 3, 3, 2, 1, 1, true, Act.SILU));
    }

    @ParameterizedTest(name = "n={0} {1}x{2} {3}->{4} k={5}x{6} s={7} p={8},{9} bias={10} {11}")
    @MethodSource("cases")
    void matchesReference(
            int n,
            int h,
            int w,
            int cin,
            int cout,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            boolean hasBias,
            Act act)
            throws Exception {
        try (OpScope s = new OpScope("jocl", 21)) {
            int ho = Conv2d.outSize(h, kh, stride, padH), wo = Conv2d.outSize(w, kw, stride, padW);
            float[] in = s.random(n * h * w * cin), wt = s.random(kh * kw * cin * cout);
            float[] bias = hasBias ? s.random(cout) : null;
            float[] ref = floats(HostOps.conv(
                    doubles(in), n, h, w, cin, ho, wo, cout, wt, bias, kh, kw, stride, padH, padW, 0, act));
            assertEquals(n * ho * wo * cout, ref.length);

            ClBuffer din = s.upload(in, "in");
            ClBuffer db = hasBias ? s.upload(bias, "bias") : null;
            // the direct kernels, then implicit GEMM on panels (one ragged in rows and columns)
            for (String variant : new String[] {"direct", "panel:4x32", "panel:8x16", "panel:3x8"}) {
                Gemm.Config panel = variant.equals("direct") ? null : Gemm.Config.parse(variant);
                ClBuffer dw = s.upload(panel == null ? wt : Gemm.layoutB(wt, kh * kw * cin, cout, panel), "w");
                ClBuffer dout = s.output(ref.length, "out");
                Launch l = s.own(Conv2d.create(
                        s.ctx,
                        OpChoices.DEFAULTS,
                        new ConvShape(n, h, w, cin, cout, kh, kw, stride, padH, padW, ho, wo),
                        din,
                        dw,
                        db,
                        dout,
                        act,
                        panel));
                if (panel != null) {
                    int vw = s.lanes(Math.min(panel.width(), 16));
                    s.expectKernel(l, "conv2d_panel", "PANEL_RM=" + panel.rows(), "PANEL_VW=" + vw);
                }
                s.run(l);
                TestSupport.assertClose(ref, s.read(dout, ref.length), "conv2d " + variant);
                OpScope.assertCost(l, 2L * ref.length * kh * kw * cin / 2, 4L * ref.length);
            }
        }
    }

    @Test
    void outSizeFollowsPyTorch() {
        assertEquals(5, Conv2d.outSize(5, 3, 1, 1));
        assertEquals(2, Conv2d.outSize(9, 4, 4, 0));
        assertEquals(3, Conv2d.outSize(7, 2, 2, 0));
        assertEquals(4, Conv2d.outSize(7, 3, 2, 1));
    }
}
