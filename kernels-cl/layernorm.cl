// LayerNorm over the channels of NHWC activations (rows = N*H*W pixels, or N for pooled
// vectors): y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased variance PyTorch
// uses. Two passes over each row in float, like PyTorch's reference, so results match to
// rounding. Global size: (rows); each work-item one row.

__kernel void layernorm(__global const DATA_T* in, __global const DATA_T* gamma, __global const DATA_T* beta,
                        __global DATA_T* out, int rows, int C, float eps) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    const int base = r * C;
    float mean = 0.0f;
    for (int c = 0; c < C; c++) mean += LD(in, base + c);
    mean /= (float) C;
    float var = 0.0f;
    for (int c = 0; c < C; c++) {
        float d = LD(in, base + c) - mean;
        var = fma(d, d, var);
    }
    var /= (float) C;
    const float inv = rsqrt(var + eps);
    for (int c = 0; c < C; c++) {
        ST(out, base + c, (LD(in, base + c) - mean) * inv * LD(gamma, c) + LD(beta, c));
    }
}
