// LayerNorm over the channels of NHWC activations (rows = N*H*W pixels, or N for pooled
// vectors): y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased variance PyTorch
// uses. Two passes over each row in float, like PyTorch's reference, so results match to
// rounding. Global size: (rows); each work-item one row.

#include "common.h.cl"

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

// CPU runtimes: the same two passes on LN_VW channels at a time in one vector (C a multiple of
// LN_VW), so each pass is a handful of full-width loads and FMAs per row instead of C scalar
// steps. Rows are independent; the host cuts them into a few groups per core.
// Global size: (rows, rounded up to whole groups).
#ifndef LN_VW
#define LN_VW 8
#endif
#define lnV FLOATN(LN_VW)

__kernel void layernorm_vec(__global const DATA_T* in, __global const DATA_T* gamma, __global const DATA_T* beta,
                            __global DATA_T* out, int rows, int C, float eps) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    __global const DATA_T* x = in + (size_t)r * C;
    lnV s = (lnV)(0.0f);
    for (int c = 0; c < C; c += LN_VW) s += LDN(LN_VW, x, c);
    const float mean = edgecl_hsumn(LN_VW, s) / (float)C;
    lnV q = (lnV)(0.0f);
    for (int c = 0; c < C; c += LN_VW) {
        const lnV d = LDN(LN_VW, x, c) - mean;
        q = fma(d, d, q);
    }
    const float inv = rsqrt(edgecl_hsumn(LN_VW, q) / (float)C + eps);
    for (int c = 0; c < C; c += LN_VW) {
        STN(LN_VW, out, (size_t)r * C + c, (LDN(LN_VW, x, c) - mean) * inv * LDN(LN_VW, gamma, c) + LDN(LN_VW, beta, c));
    }
}
