package io.edgecl.graph;

/** Host-side conversion of the kernels' NHWC outputs back to PyTorch's NCHW. */
public final class Layouts {
    private Layouts() {}

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
