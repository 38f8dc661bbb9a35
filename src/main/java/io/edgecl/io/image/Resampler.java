package io.edgecl.io.image;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB, reproduced to the last bit because pretrained
 * accuracy was measured on its output: a separable convolution (horizontal pass, then vertical)
 * whose filter widens by the downscale factor (antialiasing), with weights normalized, turned
 * into 22-bit fixed point, and each pass rounded and clipped to uint8. Nearest neighbour is
 * Pillow's affine scale instead: source position stepped by in/out from a half-pixel start.
 */
public final class Resampler {
    /** 32 bits less 8 for the pixel and 2 for sums of negative lobes that overshoot. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {}

    /** {@code src} resized to outWidth × outHeight with the given filter. */
    public static RgbImage resize(RgbImage src, int outWidth, int outHeight, Interpolation filter) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + outWidth + "x" + outHeight);
        }
        if (outWidth == src.width() && outHeight == src.height()) {
            return new RgbImage(outWidth, outHeight, src.rgb().clone());
        }
        if (filter == Interpolation.NEAREST) {
            return nearest(src, outWidth, outHeight);
        }
        Coeffs vertical = Coeffs.of(src.height(), outHeight, filter);
        byte[] pixels = src.rgb();
        int width = src.width();
        if (outWidth != src.width()) {
            Coeffs horizontal = Coeffs.of(src.width(), outWidth, filter);
            // Only the source rows the vertical pass will read are resampled horizontally.
            int first = vertical.start[0];
            int last = vertical.start[outHeight - 1] + vertical.count[outHeight - 1];
            pixels = horizontalPass(pixels, width, first, last - first, horizontal, outWidth);
            width = outWidth;
            for (int i = 0; i < outHeight; i++) vertical.start[i] -= first;
        }
        if (outHeight != src.height()) {
            pixels = verticalPass(pixels, width, vertical, outHeight);
        }
        return new RgbImage(outWidth, outHeight, pixels);
    }

    private static byte[] horizontalPass(byte[] in, int inWidth, int firstRow, int rows, Coeffs c, int outWidth) {
        byte[] out = new byte[outWidth * rows * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * inWidth * 3;
            int o = y * outWidth * 3;
            for (int x = 0; x < outWidth; x++, o += 3) {
                int s0 = half, s1 = half, s2 = half;
                int p = rowBase + c.start[x] * 3;
                int k = x * c.ksize;
                for (int j = 0, n = c.count[x]; j < n; j++, p += 3) {
                    int w = c.fixed[k + j];
                    s0 += (in[p] & 0xFF) * w;
                    s1 += (in[p + 1] & 0xFF) * w;
                    s2 += (in[p + 2] & 0xFF) * w;
                }
                out[o] = clip8(s0);
                out[o + 1] = clip8(s1);
                out[o + 2] = clip8(s2);
            }
        }
        return out;
    }

    private static byte[] verticalPass(byte[] in, int width, Coeffs c, int outHeight) {
        byte[] out = new byte[width * outHeight * 3];
        int half = 1 << (PRECISION_BITS - 1);
        int stride = width * 3;
        for (int y = 0; y < outHeight; y++) {
            int k = y * c.ksize;
            int n = c.count[y];
            int top = c.start[y] * stride;
            int o = y * stride;
            for (int i = 0; i < stride; i++) {
                int s = half;
                for (int j = 0, p = top + i; j < n; j++, p += stride) {
                    s += (in[p] & 0xFF) * c.fixed[k + j];
                }
                out[o + i] = clip8(s);
            }
        }
        return out;
    }

    private static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static RgbImage nearest(RgbImage src, int outWidth, int outHeight) {
        int inW = src.width();
        int inH = src.height();
        double ax = (double) inW / outWidth;
        double ay = (double) inH / outHeight;
        // Pillow accumulates the position by repeated addition; so must we, for identical truncation.
        int[] xTab = new int[outWidth];
        double xo = ax * 0.5;
        for (int x = 0; x < outWidth; x++) {
            xTab[x] = xo < 0.0 ? -1 : (int) xo;
            xo += ax;
        }
        byte[] in = src.rgb();
        byte[] out = new byte[outWidth * outHeight * 3];
        double yo = ay * 0.5;
        for (int y = 0; y < outHeight; y++) {
            int yi = yo < 0.0 ? -1 : (int) yo;
            yo += ay;
            if (yi < 0 || yi >= inH) continue;
            int rowBase = yi * inW * 3;
            for (int x = 0, o = y * outWidth * 3; x < outWidth; x++, o += 3) {
                int xi = xTab[x];
                if (xi < 0 || xi >= inW) continue;
                int p = rowBase + xi * 3;
                out[o] = in[p];
                out[o + 1] = in[p + 1];
                out[o + 2] = in[p + 2];
            }
        }
        return new RgbImage(outWidth, outHeight, out);
    }

    /** Per output pixel: first source index, number of taps, and fixed-point weights. */
    static final class Coeffs {
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] fixed;
        final double[] weights;

        private Coeffs(int ksize, int[] start, int[] count, double[] weights, int[] fixed) {
            this.ksize = ksize;
            this.start = start;
            this.count = count;
            this.weights = weights;
            this.fixed = fixed;
        }

        static Coeffs of(int inSize, int outSize, Interpolation filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            double[] w = new double[outSize * ksize];
            int[] fixed = new int[outSize * ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                // Truncating center ± support + 0.5 is Pillow's rounding of the window ends.
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double sum = 0.0;
                int base = xx * ksize;
                for (int x = 0; x < xmax; x++) {
                    double v = filter.weight((x + xmin - center + 0.5) * ss);
                    w[base + x] = v;
                    sum += v;
                }
                for (int x = 0; x < xmax; x++) {
                    if (sum != 0.0) w[base + x] /= sum;
                    double v = w[base + x];
                    fixed[base + x] =
                            v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                start[xx] = xmin;
                count[xx] = Math.max(xmax, 0);
            }
            return new Coeffs(ksize, start, count, w, fixed);
        }
    }
}
