package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.graph.HostOps;
import io.edgecl.tensor.HostTensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mask is the argmax of the scores resized as the graph's bilinear resize reference resizes them. */
class SegmentationMaskTest {
    @ParameterizedTest
    @CsvSource({"7, 9, 7, 9", "7, 9, 23, 31", "13, 17, 5, 4", "5, 6, 1, 1"})
    void argmaxOfTheBilinearResize(int h, int w, int oh, int ow) {
        int n = 2, c = 6;
        Random r = new Random(h * 31 + oh);
        float[] d = new float[n * c * h * w];
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        HostTensor scores = new HostTensor(new int[] {n, c, h, w}, d);
        for (int img = 0; img < n; img++) {
            // NCHW image -> NHWC for the reference
            double[] nhwc = new double[h * w * c];
            for (int k = 0; k < c; k++) for (int p = 0; p < h * w; p++) nhwc[p * c + k] = d[(img * c + k) * h * w + p];
            double[] up = HostOps.resizeBilinear(nhwc, 1, h, w, c, oh, ow, false);
            byte[] want = new byte[oh * ow];
            for (int p = 0; p < oh * ow; p++) {
                int best = 0;
                for (int k = 1; k < c; k++) if (up[p * c + k] > up[p * c + best]) best = k;
                want[p] = (byte) best;
            }
            SegmentationMask m = SegmentationMask.of(scores, img, oh, ow);
            assertEquals(ow, m.width());
            assertEquals(oh, m.height());
            assertArrayEquals(want, m.classIndex(), "image " + img);
        }
    }
}
