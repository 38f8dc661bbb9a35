package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ElementwiseTest {
    /** n = 3 images of 5x9 pixels and 13 channels: not a multiple of the 64-wide work-groups. */
    private static final int N = 3, HW = 5 * 9, C = 13, SIZE = N * HW * C;

    @Test
    void addBroadcastAddsThePerImageTensorToEveryImage() throws Exception {
        try (OpScope s = new OpScope("jocl", 41)) {
            float[] x = s.random(SIZE), y = s.random(HW * C);
            ClBuffer dx = s.upload(x, "x"), dy = s.upload(y, "pos"), dout = s.output(SIZE, "out");
            Launch l = s.own(Elementwise.addBroadcast(s.ctx, dx, dy, dout, SIZE, HW * C));
            s.run(l);
            TestSupport.assertClose(floats(HostOps.addPeriodic(doubles(x), y)), s.read(dout, SIZE), "add_broadcast");
            OpScope.assertCost(l, SIZE, 8L * SIZE);
            // in place (out = x)
            Launch inPlace = s.own(Elementwise.addBroadcast(s.ctx, dx, dy, dx, SIZE, HW * C));
            s.run(inPlace);
            TestSupport.assertClose(
                    floats(HostOps.addPeriodic(doubles(x), y)), s.read(dx, SIZE), "add_broadcast in place");
        }
    }

    /** The network input's layout launch: 2 images of 7x11 pixels (four 16-pixel blocks and a tail of 13). */
    @ParameterizedTest(name = "{0} channels")
    @CsvSource({"3", "1", "13"})
    void toNhwcLaysOutTheInput(int c) throws Exception {
        int n = 2, hw = 7 * 11, size = n * c * hw;
        try (OpScope s = new OpScope("jocl", 47 + c)) {
            float[] x = s.random(size);
            ClBuffer dx = s.upload(x, "nchw"), dout = s.output(size, "nhwc");
            Launch l = s.own(Elementwise.toNhwc(s.ctx, dx, dout, n, c, hw));
            s.run(l);
            float[] got = s.read(dout, size);
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < hw; p++) {
                    for (int ch = 0; ch < c; ch++) {
                        assertEquals(
                                x[(b * c + ch) * hw + p],
                                got[(b * hw + p) * c + ch],
                                0f,
                                "image " + b + ", pixel " + p + ", channel " + ch);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Act.class)
    void activation(Act act) throws Exception {
        try (OpScope s = new OpScope("jocl", 42 + act.ordinal())) {
            float[] x = TestSupport.random(s.rnd, SIZE, 4);
            // the kinks and saturation points of the piecewise activations
            float[] special = {0f, -3f, 3f, 6f, -6f, 1e-7f, -1e-7f, 40f, -40f};
            System.arraycopy(special, 0, x, 0, special.length);
            float[] ref = floats(HostOps.activation(doubles(x), act));
            ClBuffer dx = s.upload(x, "x"), dout = s.output(SIZE, "out");
            Launch l = s.own(Elementwise.activation(s.ctx, dx, dout, SIZE, act));
            s.run(l);
            TestSupport.assertClose(ref, s.read(dout, SIZE), "activation " + act);
            OpScope.assertCost(l, SIZE, 8L * SIZE);
            Launch inPlace = s.own(Elementwise.activation(s.ctx, dx, dx, SIZE, act));
            s.run(inPlace);
            TestSupport.assertClose(ref, s.read(dx, SIZE), "activation in place " + act);
        }
    }

    @ParameterizedTest(name = "residual={0}")
    @CsvSource({"false", "true"})
    void scaleAdd(boolean withResidual) throws Exception {
        try (OpScope s = new OpScope("jocl", withResidual ? 43 : 44)) {
            float[] x = s.random(SIZE), scale = s.random(C), res = withResidual ? s.random(SIZE) : null;
            ClBuffer dx = s.upload(x, "x"), ds = s.upload(scale, "scale"), dout = s.output(SIZE, "out");
            ClBuffer dr = withResidual ? s.upload(res, "residual") : null;
            Launch l = s.own(Elementwise.scaleAdd(s.ctx, dx, ds, dr, dout, SIZE, C));
            s.run(l);
            TestSupport.assertClose(
                    floats(HostOps.scaleAdd(doubles(x), scale, doubles(res))), s.read(dout, SIZE), "scale_add");
            OpScope.assertCost(l, SIZE, 8L * SIZE);
            if (withResidual) {
                // out aliasing the residual: residual += x * scale
                Launch inPlace = s.own(Elementwise.scaleAdd(s.ctx, dx, ds, dr, dr, SIZE, C));
                s.run(inPlace);
                TestSupport.assertClose(
                        floats(HostOps.scaleAdd(doubles(x), scale, doubles(res))),
                        s.read(dr, SIZE),
                        "scale_add in place");
            }
        }
    }

    @ParameterizedTest(name = "C={0} in={1}+{2} out={3}+{4}")
    @CsvSource({
        // concatenation: the second part of a split into its place in a wider tensor
        "13, 45, 32, 29, 7",
        "7, 7, 0, 20, 13",
        "45, 45, 0, 45, 0",
        "1, 3, 2, 5, 4"
    })
    void channelCopy(int channels, int inStride, int inOffset, int outStride, int outOffset) throws Exception {
        int rows = N * HW;
        try (OpScope s = new OpScope("jocl", 45 + channels)) {
            float[] in = s.random(rows * inStride), outInit = s.random(rows * outStride);
            float[] ref = floats(HostOps.withChannels(
                    doubles(outInit),
                    outStride,
                    outOffset,
                    HostOps.channels(doubles(in), inStride, inOffset, channels),
                    channels));
            ClBuffer din = s.upload(in, "in"), dout = s.upload(outInit, "out");
            Launch l = s.own(Elementwise.channelCopy(
                    s.ctx, din, dout, channels, rows, inStride, inOffset, outStride, outOffset));
            s.run(l);
            float[] got = s.read(dout, rows * outStride);
            for (int i = 0; i < ref.length; i++) assertEquals(ref[i], got[i], 0f, "element " + i);
            OpScope.assertCost(l, 0, 8L * channels * rows);
        }
    }

    /** One launch up to 256 pixels, partial sums and a second launch past them; vector widths 16, 8, 4, 1. */
    @ParameterizedTest(name = "n={0} HW={1} C={2}")
    @CsvSource({"3, 45, 13", "2, 45, 45", "1, 1, 7", "2, 49, 1", "2, 300, 32", "1, 1000, 24", "3, 257, 20", "2, 513, 7"
    })
    void globalAvgPool(int n, int hw, int c) throws Exception {
        try (OpScope s = new OpScope("jocl", 46 + c)) {
            float[] in = s.random(n * hw * c);
            ClBuffer din = s.upload(in, "in"), dout = s.output(n * c, "out");
            long scratch = Elementwise.globalAvgPoolScratch(n, hw, c);
            assertEquals(hw > 256, scratch > 0, "partial sums past 256 pixels");
            // written by the host first, as plans do with scratch (Oclgrind otherwise keeps kernel-written
            // partial sums marked uninitialised for the next launch)
            ClBuffer parts = scratch > 0 ? s.upload(new float[(int) (scratch / 4)], "parts") : null;
            List<Launch> ls = s.own(Elementwise.globalAvgPool(s.ctx, din, dout, parts, n, hw, c));
            assertEquals(scratch > 0 ? 2 : 1, ls.size(), "launches");
            s.run(ls.toArray(new Launch[0]));
            TestSupport.assertClose(floats(HostOps.avgPool(doubles(in), n, hw, c)), s.read(dout, n * c), "avgpool");
            OpScope.assertCost(ls.get(0), (long) n * hw * c, 4L * n * hw * c + 4L * n * c);
        }
    }

    /**
     * A kernel that leaves one element in the middle of its output unwritten fails the check:
     * the output starts as NaN (OpScope.output) and the comparison never lets a NaN pass.
     */
    @Test
    void anUnwrittenElementInTheMiddleFails(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String src = io.edgecl.cl.KernelSources.load("elementwise.cl");
        String store = "if (i < n) STC(out, i, edgecl_act_c(LDC(x, i), ACT));";
        org.junit.jupiter.api.Assertions.assertTrue(
                src.contains(store), "the activation's store is still in elementwise.cl");
        java.nio.file.Files.writeString(
                dir.resolve("elementwise.cl"),
                src.replace(store, "if (i < n && i != n / 2) STC(out, i, edgecl_act_c(LDC(x, i), ACT));"));
        System.setProperty(io.edgecl.cl.KernelSources.DIR_PROPERTY, dir.toString());
        try (OpScope s = new OpScope("jocl", 40)) {
            float[] x = s.random(SIZE);
            ClBuffer dx = s.upload(x, "x"), dout = s.output(SIZE, "out");
            s.run(s.own(Elementwise.activation(s.ctx, dx, dout, SIZE, Act.RELU)));
            float[] got = s.read(dout, SIZE);
            org.junit.jupiter.api.Assertions.assertTrue(Float.isNaN(got[SIZE / 2]), "the element was left unwritten");
            org.opentest4j.AssertionFailedError e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.opentest4j.AssertionFailedError.class,
                    () -> TestSupport.assertClose(floats(HostOps.activation(doubles(x), Act.RELU)), got, "activation"));
            org.junit.jupiter.api.Assertions.assertTrue(
                    e.getMessage().contains("first at " + SIZE / 2), e.getMessage());
        } finally {
            System.clearProperty(io.edgecl.cl.KernelSources.DIR_PROPERTY);
        }
    }
}
