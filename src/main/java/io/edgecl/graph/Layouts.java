package io.edgecl.graph;

/** Host-side layout conversions between PyTorch's NCHW and the kernels' NHWC. */
public final class Layouts {
    private Layouts() {}

    public static float[] nchwToNhwc(float[] x, int n, int c, int h, int w) {
        float[] out = new float[x.length];
        int hw = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * c * hw;
            for (int ch = 0; ch < c; ch++) {
                int src = base + ch * hw;
                for (int p = 0; p < hw; p++) out[base + p * c + ch] = x[src + p];
            }
        }
        return out;
    }

    public static float[] nhwcToNchw(float[] x, int n, int h, int w, int c) {
        float[] out = new float[x.length];
        int hw = h * w;
        for (int b = 0; b < n; b++) {
            int base = b * c * hw;
            for (int p = 0; p < hw; p++) {
                int src = base + p * c;
                for (int ch = 0; ch < c; ch++) out[base + ch * hw + p] = x[src + ch];
            }
        }
        return out;
    }
}
