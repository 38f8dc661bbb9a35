package io.edgecl.api;

import io.edgecl.tensor.HostTensor;

/**
 * A segmenter's answer for one image: the class of every pixel at the size asked for. The dense
 * scores are resized as PyTorch's {@code interpolate(mode="bilinear", align_corners=False)}
 * would (mmsegmentation's and torchvision's way back to the original image) and the best class
 * taken per pixel, without materialising the resized scores.
 */
public record SegmentationMask(int width, int height, int classes, byte[] classIndex) {
    /**
     * The mask of image {@code image} of {@code scores} [N, classes, h, w] at {@code height} ×
     * {@code width}; ties go to the lower class index, as argmax does.
     */
    public static SegmentationMask of(HostTensor scores, int image, int height, int width) {
        int[] s = scores.shape();
        if (s.length != 4) throw new IllegalArgumentException("scores must be [N, classes, H, W], got " + scores);
        int c = s[1], h = s[2], w = s[3];
        if (c > 256) throw new IllegalArgumentException(c + " classes do not fit a byte per pixel");
        if (image < 0 || image >= s[0]) throw new IllegalArgumentException("no image " + image + " in " + scores);
        float[] d = scores.data();
        int plane = h * w, base = image * c * plane;
        int[] y0 = new int[height], y1 = new int[height], x0 = new int[width], x1 = new int[width];
        float[] ly = new float[height], lx = new float[width];
        taps(h, height, y0, y1, ly);
        taps(w, width, x0, x1, lx);
        byte[] out = new byte[width * height];
        for (int oy = 0; oy < height; oy++)
            for (int ox = 0; ox < width; ox++) {
                int p00 = y0[oy] * w + x0[ox], p01 = y0[oy] * w + x1[ox];
                int p10 = y1[oy] * w + x0[ox], p11 = y1[oy] * w + x1[ox];
                float wy = ly[oy], wx = lx[ox];
                int best = 0;
                float bestV = Float.NEGATIVE_INFINITY;
                for (int k = 0, o = base; k < c; k++, o += plane) {
                    float top = (1 - wx) * d[o + p00] + wx * d[o + p01];
                    float bottom = (1 - wx) * d[o + p10] + wx * d[o + p11];
                    float v = (1 - wy) * top + wy * bottom;
                    if (v > bestV) {
                        bestV = v;
                        best = k;
                    }
                }
                out[oy * width + ox] = (byte) best;
            }
        return new SegmentationMask(width, height, c, out);
    }

    private static void taps(int in, int out, int[] i0, int[] i1, float[] l1) {
        float scale = (float) in / out;
        for (int o = 0; o < out; o++) {
            float src = Math.max(scale * (o + 0.5f) - 0.5f, 0f);
            int i = Math.min((int) src, in - 1);
            i0[o] = i;
            i1[o] = i < in - 1 ? i + 1 : i;
            l1[o] = Math.min(Math.max(src - i, 0f), 1f);
        }
    }

    /** The class of pixel (x, y). */
    public int classAt(int x, int y) {
        return classIndex[y * width + x] & 0xFF;
    }

    /** Pixels of each class. */
    public long[] histogram() {
        long[] n = new long[classes];
        for (byte b : classIndex) n[b & 0xFF]++;
        return n;
    }
}
