package io.edgecl.models;

import io.edgecl.tensor.HostTensor;

/**
 * EdgeNeXt's Fourier positional encoding, precomputed per input size on the host: 32 sine /
 * cosine features of the normalised row and column coordinates, projected to C channels by a
 * 1x1 conv. Result [H*W, C], added to every image of the batch.
 */
public final class PositionalEncoding {
    static final int HIDDEN = 32;
    static final double TEMPERATURE = 10000;

    private PositionalEncoding() {}

    /** @param weight token_projection.weight [C, 64, 1, 1]; @param bias [C] */
    public static HostTensor fourier(HostTensor weight, HostTensor bias, int h, int w) {
        int c = weight.dim(0);
        float[] dimT = new float[HIDDEN];
        for (int k = 0; k < HIDDEN; k++) {
            dimT[k] = (float) Math.pow(TEMPERATURE, 2.0 * (k / 2) / HIDDEN);
        }
        float scale = (float) (2 * Math.PI);
        float[] feat = new float[2 * HIDDEN];
        float[] wt = weight.data(), bt = bias.data();
        float[] out = new float[h * w * c];
        for (int i = 0; i < h; i++) {
            float yEmbed = (float) (i + 1) / ((float) h + 1e-6f) * scale;
            for (int j = 0; j < w; j++) {
                float xEmbed = (float) (j + 1) / ((float) w + 1e-6f) * scale;
                for (int k = 0; k < HIDDEN; k++) {
                    float py = yEmbed / dimT[k], px = xEmbed / dimT[k];
                    feat[k] = (float) ((k & 1) == 0 ? Math.sin(py) : Math.cos(py));
                    feat[HIDDEN + k] = (float) ((k & 1) == 0 ? Math.sin(px) : Math.cos(px));
                }
                int base = (i * w + j) * c;
                for (int o = 0; o < c; o++) {
                    double s = bt[o];
                    for (int q = 0; q < 2 * HIDDEN; q++) s += (double) wt[o * 2 * HIDDEN + q] * feat[q];
                    out[base + o] = (float) s;
                }
            }
        }
        return new HostTensor(new int[] {h * w, c}, out);
    }
}
