package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import io.edgecl.ops.DepthwiseConv.Slice;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DepthwiseConvTest {
    /** Kernel sizes of the supported networks (3 to 9), strides 1 and 2, "same" padding. */
    static Stream<Arguments> kernels() {
        List<Arguments> out = new ArrayList<>();
        for (String binding : new String[] {"jocl", "lwjgl"}) {
            for (int k : new int[] {3, 5, 7, 9}) {
                for (int stride : new int[] {1, 2}) out.add(Arguments.of(binding, k, stride));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} k={1} s={2}")
    @MethodSource("kernels")
    void kernelSizesAndStrides(String binding, int k, int stride) throws Exception {
        // 5x9 is smaller than a 9x9 kernel's reach in one dimension: most taps fall in the padding
        Case c = new Case(2, 5, 9, 13, k, k, stride, k / 2, k / 2, 1);
        c.run(binding, true, false, Act.NONE, 0, 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jocl", "lwjgl"})
    void channelMultiplier(String binding) throws Exception {
        new Case(3, 5, 9, 14, 3, 3, 1, 1, 1, 2).run(binding, true, false, Act.NONE, 0, 0, 0);
        new Case(2, 6, 5, 14, 5, 5, 2, 2, 2, 2).run(binding, false, false, Act.HSWISH, 0, 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jocl", "lwjgl"})
    void addendBeforeTheConvolution(String binding) throws Exception {
        new Case(2, 5, 9, 7, 3, 3, 1, 1, 1, 1).run(binding, true, true, Act.NONE, 0, 0, 0);
        new Case(2, 9, 5, 7, 7, 7, 2, 3, 3, 1).run(binding, true, true, Act.GELU, 0, 0, 0);
    }

    /** Input, addend and output are channel slices of wider tensors, as in the SDTA cascade. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jocl", "lwjgl"})
    void channelSlices(String binding) throws Exception {
        // 13 channels read at offset 5 of a 45-channel input, added to offset 20 of a 33-channel
        // tensor, written at offset 7 of a 29-channel output
        new Case(2, 5, 9, 13, 3, 3, 1, 1, 1, 1).run(binding, true, true, Act.NONE, 5, 20, 7);
        new Case(3, 7, 5, 13, 5, 5, 2, 2, 2, 1).run(binding, false, false, Act.RELU, 5, 0, 7);
        // multiplier with a sliced input: the input slice holds Cout / 2 channels
        new Case(2, 5, 9, 14, 3, 3, 1, 1, 1, 2).run(binding, true, true, Act.NONE, 3, 11, 16);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jocl"})
    void nonSquareKernelAndPadding(String binding) throws Exception {
        new Case(2, 5, 9, 13, 3, 7, 1, 1, 3, 1).run(binding, true, false, Act.SIGMOID, 0, 0, 0);
        new Case(2, 8, 6, 7, 7, 3, 2, 0, 1, 1).run(binding, true, false, Act.NONE, 0, 0, 0);
    }

    /**
     * The vector kernels: 16, 8 or 4 channels per work-item (the widest dividing Cout), four
     * output columns each with a ragged last block, both strides, the addend and channel slices;
     * and the float4 kernel forced on the same shapes.
     */
    @ParameterizedTest(name = "{0} cout={1} {2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "jocl,16,vec",
        "jocl,24,vec",
        "jocl,20,vec",
        "lwjgl,48,vec",
        "jocl,16,c4",
        "jocl,24,c4"
    })
    void vectorKernels(String binding, int cout, String variant) throws Exception {
        OpChoices forced = OpChoices.forcing(KernelFamily.DWCONV, KernelFamily.DWCONV.parse(variant));
        // the kernel each case must really run: the widest of 16, 8 and 4 lanes dividing cout
        int lanes = cout % 16 == 0 ? 16 : cout % 8 == 0 ? 8 : 4;
        java.util.function.BiConsumer<OpScope, Launch> expect = variant.equals("vec")
                ? (s, l) -> s.expectKernel(l, "dwconv_vec", "DW_VW=" + s.lanes(lanes))
                : (s, l) -> s.expectKernel(l, "dwconv_c4");
        new Case(2, 7, 11, cout, 3, 3, 1, 1, 1, 1).run(binding, true, false, Act.HSWISH, 0, 0, 0, forced, expect);
        new Case(2, 9, 13, cout, 5, 5, 2, 2, 2, 1).run(binding, false, true, Act.NONE, 0, 0, 0, forced, expect);
        new Case(1, 6, 9, cout, 3, 3, 1, 1, 1, 1).run(binding, true, true, Act.GELU, 4, 8, 4, forced, expect);
    }

    /**
     * The check of a forced variant fails when the family quietly runs another kernel: forced to
     * vec, 13 channels (no whole vector) fall back to the scalar kernel, and expecting dwconv_vec
     * there fails instead of passing on the fallback.
     */
    @Test
    void aQuietFallbackFailsTheVariantCheck() throws Exception {
        try (OpScope s = new OpScope("jocl", 7)) {
            ClBuffer in = s.upload(s.random(2 * 5 * 5 * 13), "in"),
                    w = s.upload(s.random(9 * 13), "w"),
                    out = s.output(2 * 5 * 5 * 13, "out");
            Launch l = s.own(DepthwiseConv.create(
                    s.ctx,
                    OpChoices.forcing(KernelFamily.DWCONV, DepthwiseConv.Form.VEC),
                    ConvShape.of(2, 5, 5, 13, 13, 3, 3, 1, 1, 1),
                    new Slice(in, 13, 0),
                    null,
                    w,
                    null,
                    new Slice(out, 13, 0),
                    Act.NONE));
            org.junit.jupiter.api.Assertions.assertThrows(
                    org.opentest4j.AssertionFailedError.class,
                    () -> s.expectKernel(l, "dwconv_vec", "DW_VW=" + s.lanes(4)));
            s.expectKernel(l, "dwconv");
        }
    }

    private record Case(int n, int h, int w, int cout, int kh, int kw, int stride, int padH, int padW, int mult) {
        /**
         * {@code inExtra}, {@code addExtra}, {@code outExtra}: channels before the slice (and as
         * many again after it, plus 3) in the wider tensor; 0 means the tensor is exactly the slice.
         */
        void run(String binding, boolean hasBias, boolean hasAdd, Act act, int inExtra, int addExtra, int outExtra)
                throws Exception {
            run(binding, hasBias, hasAdd, act, inExtra, addExtra, outExtra, OpChoices.DEFAULTS, (s, l) -> {});
        }

        /** {@code expect} checks the launch before it runs (which kernel, which build options). */
        void run(
                String binding,
                boolean hasBias,
                boolean hasAdd,
                Act act,
                int inExtra,
                int addExtra,
                int outExtra,
                OpChoices choices,
                java.util.function.BiConsumer<OpScope, Launch> expect)
                throws Exception {
            int cin = cout / mult;
            int ho = Conv2d.outSize(h, kh, stride, padH), wo = Conv2d.outSize(w, kw, stride, padW);
            int inCs = cin + (inExtra > 0 ? 2 * inExtra + 3 : 0);
            int addCs = cin + (addExtra > 0 ? 2 * addExtra + 3 : 0);
            int outCs = cout + (outExtra > 0 ? 2 * outExtra + 3 : 0);
            try (OpScope s = new OpScope(binding, 31L * kh + kw + stride)) {
                float[] in = s.random(n * h * w * inCs), wt = s.random(kh * kw * cout);
                float[] add = hasAdd ? s.random(n * h * w * addCs) : null;
                float[] bias = hasBias ? s.random(cout) : null;
                float[] outInit = s.random(n * ho * wo * outCs);
                // the reference reads the slices, sums the addend in and writes the output slice into a copy of outInit
                double[] x = HostOps.channels(doubles(in), inCs, inExtra, cin);
                if (hasAdd) x = HostOps.add(x, HostOps.channels(doubles(add), addCs, addExtra, cin), Act.NONE);
                float[] ref = floats(HostOps.withChannels(
                        doubles(outInit),
                        outCs,
                        outExtra,
                        HostOps.conv(x, n, h, w, cin, ho, wo, cout, wt, bias, kh, kw, stride, padH, padW, mult, act),
                        cout));

                ClBuffer din = s.upload(in, "in"), dw = s.upload(wt, "w"), dout = s.upload(outInit, "out");
                Slice addSlice = hasAdd ? new Slice(s.upload(add, "add"), addCs, addExtra) : null;
                ClBuffer db = hasBias ? s.upload(bias, "bias") : null;
                Launch l = s.own(DepthwiseConv.create(
                        s.ctx,
                        choices,
                        ConvShape.of(n, h, w, cin, cout, kh, kw, stride, padH, padW),
                        new Slice(din, inCs, inExtra),
                        addSlice,
                        dw,
                        db,
                        new Slice(dout, outCs, outExtra),
                        act));
                expect.accept(s, l);
                s.run(l);
                TestSupport.assertClose(
                        ref,
                        s.read(dout, ref.length),
                        "dwconv " + binding + " " + this + " add=" + hasAdd + " act=" + act + " slices=" + inExtra + ","
                                + addExtra + "," + outExtra);
                long outs = (long) n * ho * wo * cout;
                OpScope.assertCost(l, outs * kh * kw, 4L * outs);
            }
        }
    }
}
