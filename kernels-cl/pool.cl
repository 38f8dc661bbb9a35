// Global average pooling of NHWC activations: out[n, c] = mean over H*W of in[n, :, :, c].
//
// The pixels are cut into P parts of POOL_CHUNK rows; each work-item sums one part for
// POOL_VW consecutive channels in one vector (so every load is a contiguous run of channels),
// which gives C / POOL_VW * P * N work-items where one per channel would leave most of a
// device idle (the squeeze of a squeeze-excite block is 16-96 channels over thousands of
// pixels). With one part the sum is scaled and stored as the output (POOL_FINAL 1); with more,
// avgpool_part writes float partial sums [N, P, C] and avgpool_sum adds them.
// Global size: (ceil(C / POOL_VW), N * P) for avgpool_part (items past the edge return), (C, N)
// for avgpool_sum.

#include "common.h.cl"

#ifndef POOL_VW
#define POOL_VW 4
#endif
#ifndef POOL_FINAL
#define POOL_FINAL 1
#endif
#if POOL_VW > 1
#define poolV FLOATN(POOL_VW)
#endif

#if POOL_FINAL
#define POOL_OUT_T DATA_T
#else
#define POOL_OUT_T float
#endif

__kernel void avgpool_part(__global const DATA_T* in, __global POOL_OUT_T* out, int HW, int C, int chunk, int P,
                           int N) {
    const int c0 = get_global_id(0) * POOL_VW;
    const int part = get_global_id(1) % P;
    const int n = get_global_id(1) / P;
    if (c0 >= C || n >= N) return;
    const int p0 = part * chunk, p1 = min(HW, p0 + chunk);
    __global const DATA_T* x = in + (size_t)n * HW * C;
#if POOL_VW > 1
    if (c0 + POOL_VW <= C) {
        poolV s = (poolV)(0.0f);
        for (int p = p0; p < p1; p++) s += LDN(POOL_VW, x, p * C + c0);
#if POOL_FINAL
        STN(POOL_VW, out, n * C + c0, s * (1.0f / (float)HW));
#else
        EDGECL_CAT(vstore, POOL_VW)(s, 0, out + (n * P + part) * C + c0); // float partial sums in every precision
#endif
        return;
    }
#endif
    // one channel at a time: at width 1, and the last channels when C is not a multiple of the width
    for (int c = c0; c < min(C, c0 + POOL_VW); c++) {
        float s = 0.0f;
        for (int p = p0; p < p1; p++) s += LD(x, p * C + c);
#if POOL_FINAL
        ST(out, n * C + c, s * (1.0f / (float)HW));
#else
        out[(n * P + part) * C + c] = s;
#endif
    }
}

__kernel void avgpool_sum(__global const float* part, __global DATA_T* out, int P, int C, int HW) {
    const int c = get_global_id(0);
    const int n = get_global_id(1);
    if (c >= C) return;
    float s = 0.0f;
    for (int q = 0; q < P; q++) s += part[(n * P + q) * C + c];
    ST(out, n * C + c, s * (1.0f / (float)HW));
}

// k x k pooling with stride and symmetric zero padding over NHWC: average (padding counted in
// the divisor when count_include_pad, as PyTorch's default) or max (padding ignored).
// Global size: (C, Wo, N * Ho).
__kernel void pool2d(__global const DATA_T* in, __global DATA_T* out, int H, int W, int C, int Ho, int Wo,
                     int k, int stride, int pad, int is_max, int count_include_pad, int rows) {
    const int c = get_global_id(0);
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (c >= C || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float acc = is_max ? -INFINITY : 0.0f;
    int count = 0;
    for (int kh = 0; kh < k; kh++) {
        const int hi = ho * stride - pad + kh;
        for (int kw = 0; kw < k; kw++) {
            const int wi = wo * stride - pad + kw;
            const bool inside = hi >= 0 && hi < H && wi >= 0 && wi < W;
            if (inside) {
                const float v = LD(in, ((n * H + hi) * W + wi) * C + c);
                acc = is_max ? fmax(acc, v) : acc + v;
                count++;
            } else if (count_include_pad && hi < H + pad && wi < W + pad) {
                count++;
            }
        }
    }
    if (!is_max) acc /= (float) max(count, 1);
    ST(out, (nho * Wo + wo) * C + c, acc);
}

// pool2d for CPU runtimes: POOL_VW channels per work-item in one vector (C a multiple of POOL_VW,
// which is 4, 8 or 16 here). Same arguments. Global size: (C / POOL_VW, Wo, N * Ho).
#if POOL_VW > 1
__kernel void pool2d_vec(__global const DATA_T* in, __global DATA_T* out, int H, int W, int C, int Ho, int Wo,
                         int k, int stride, int pad, int is_max, int count_include_pad, int rows) {
    const int c = get_global_id(0) * POOL_VW;
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (c >= C || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    poolV acc = is_max ? (poolV)(-INFINITY) : (poolV)(0.0f);
    int count = 0;
    for (int kh = 0; kh < k; kh++) {
        const int hi = ho * stride - pad + kh;
        for (int kw = 0; kw < k; kw++) {
            const int wi = wo * stride - pad + kw;
            if (hi >= 0 && hi < H && wi >= 0 && wi < W) {
                const poolV v = LDN(POOL_VW, in, ((n * H + hi) * W + wi) * C + c);
                acc = is_max ? fmax(acc, v) : acc + v;
                count++;
            } else if (count_include_pad && hi < H + pad && wi < W + pad) {
                count++;
            }
        }
    }
    if (!is_max) acc *= 1.0f / (float) max(count, 1);
    STN(POOL_VW, out, (nho * Wo + wo) * C + c, acc);
}
#endif
