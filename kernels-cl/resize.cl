// Bilinear resize of NHWC activations, as torch.nn.functional.interpolate(mode="bilinear")
// computes it: the source coordinate of output row ho is scale_h * (ho + 0.5) - 0.5 clamped at 0
// (align_corners 0, scale_h = H / Ho) or scale_h * ho (align_corners 1, scale_h = (H - 1) / (Ho - 1),
// 0 for a single row); the two rows around it are blended by its fraction, the last row repeated
// at the edge, and the same along the width. Segmentation heads use it to bring a coarse map back
// to a finer one and the logits to the input size.
//
// resize_bilinear: RS_VW channels per work-item in one vector where C is a multiple of it (loads
// and stores are contiguous runs of channels), else one channel. Global size: (C / RS_VW, Wo, N * Ho).
// resize_bilinear_px: one output pixel per work-item, its taps found once and every channel
// blended in a loop (RS_VW at a time), for CPU runtimes, which vectorise across work-items of
// the first dimension and would get as few lanes as a map has classes. Global size: (Wo, N * Ho).
// resize_rows_nchw then resize_cols_nchw: the same result written as NCHW floats, for a model's
// final map, which goes to the host in that layout. The first blends along the width into
// t [N, H, C, Wo] (floats); the second blends two rows of t per output row. Each work-item takes
// 16 consecutive output pixels of a row and stores them per channel as one vector, so the large
// second pass only loads and stores whole vectors, and only the small first one reads scattered
// channels. Global sizes: (ceil(Wo / 16), N * H) and (ceil(Wo / 16), Ho, N * C).

#include "common.h.cl"

#ifndef RS_VW
#define RS_VW 1
#endif
#if RS_VW != 1 && RS_VW != 4
#error "RS_VW must be 1 or 4"
#endif

// The source index below a coordinate, the one after it (the same at the last row) and the weight of the latter.
inline void rs_taps(int o, int in, float scale, int align, int* i0, int* i1, float* l1) {
    const float src = align ? scale * (float)o : fmax(scale * ((float)o + 0.5f) - 0.5f, 0.0f);
    const int i = min((int)src, in - 1);
    *i0 = i;
    *i1 = i + (i < in - 1 ? 1 : 0);
    *l1 = clamp(src - (float)i, 0.0f, 1.0f);
}

__kernel void resize_bilinear(__global const DATA_T* in, __global DATA_T* out, int H, int W, int C, int Ho, int Wo,
                              float scale_h, float scale_w, int align, int rows) {
    const int c = get_global_id(0) * RS_VW;
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (c >= C || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    int h0, h1, w0, w1;
    float lh, lw;
    rs_taps(ho, H, scale_h, align, &h0, &h1, &lh);
    rs_taps(wo, W, scale_w, align, &w0, &w1, &lw);
    const size_t r0 = ((size_t)n * H + h0) * W, r1 = ((size_t)n * H + h1) * W;
#if RS_VW == 4
    const float4 top = (1.0f - lw) * LD4(in, (r0 + w0) * C + c) + lw * LD4(in, (r0 + w1) * C + c);
    const float4 bottom = (1.0f - lw) * LD4(in, (r1 + w0) * C + c) + lw * LD4(in, (r1 + w1) * C + c);
    ST4(out, ((size_t)nho * Wo + wo) * C + c, (1.0f - lh) * top + lh * bottom);
#else
    const float top = (1.0f - lw) * LD(in, (r0 + w0) * C + c) + lw * LD(in, (r0 + w1) * C + c);
    const float bottom = (1.0f - lw) * LD(in, (r1 + w0) * C + c) + lw * LD(in, (r1 + w1) * C + c);
    ST(out, ((size_t)nho * Wo + wo) * C + c, (1.0f - lh) * top + lh * bottom);
#endif
}

__kernel void resize_bilinear_px(__global const DATA_T* in, __global DATA_T* out, int H, int W, int C, int Ho, int Wo,
                                 float scale_h, float scale_w, int align, int rows) {
    const int wo = get_global_id(0);
    const int nho = get_global_id(1);
    if (wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    int h0, h1, w0, w1;
    float lh, lw;
    rs_taps(ho, H, scale_h, align, &h0, &h1, &lh);
    rs_taps(wo, W, scale_w, align, &w0, &w1, &lw);
    const size_t r0 = ((size_t)n * H + h0) * W, r1 = ((size_t)n * H + h1) * W;
    const size_t a = (r0 + w0) * C, b = (r0 + w1) * C, c = (r1 + w0) * C, d = (r1 + w1) * C;
    const size_t o = ((size_t)nho * Wo + wo) * C;
    const float w00 = (1.0f - lh) * (1.0f - lw), w01 = (1.0f - lh) * lw, w10 = lh * (1.0f - lw), w11 = lh * lw;
    int k = 0;
#if RS_VW == 4
    for (; k + 4 <= C; k += 4) {
        const float4 top = (1.0f - lw) * LD4(in, a + k) + lw * LD4(in, b + k);
        const float4 bottom = (1.0f - lw) * LD4(in, c + k) + lw * LD4(in, d + k);
        ST4(out, o + k, (1.0f - lh) * top + lh * bottom);
    }
#endif
    for (; k < C; k++) {
        const float top = (1.0f - lw) * LD(in, a + k) + lw * LD(in, b + k);
        const float bottom = (1.0f - lw) * LD(in, c + k) + lw * LD(in, d + k);
        ST(out, o + k, (1.0f - lh) * top + lh * bottom);
    }
}

__kernel void resize_rows_nchw(__global const DATA_T* in, __global float* t, int H, int W, int C, int Wo,
                               float scale_w, int align, int rows) {
    const int p0 = get_global_id(0) * 16, nh = get_global_id(1);
    if (p0 >= Wo || nh >= rows) return;
    const int m = min(16, Wo - p0);
    size_t a[16], b[16];
    float lw[16];
    for (int j = 0; j < 16; j++) {
        int w0, w1;
        rs_taps(min(p0 + j, Wo - 1), W, scale_w, align, &w0, &w1, &lw[j]);
        a[j] = ((size_t)nh * W + w0) * C;
        b[j] = ((size_t)nh * W + w1) * C;
    }
    __global float* o = t + (size_t)nh * C * Wo + p0;
    for (int k = 0; k < C; k++, o += Wo) {
        float v[16];
        _Pragma("unroll") for (int j = 0; j < 16; j++) v[j] = (1.0f - lw[j]) * LD(in, a[j] + k) + lw[j] * LD(in, b[j] + k);
        if (m == 16) {
            vstore16(vload16(0, v), 0, o);
        } else {
            for (int j = 0; j < m; j++) o[j] = v[j];
        }
    }
}

__kernel void resize_cols_nchw(__global const float* t, __global float* out, int H, int C, int Ho, int Wo,
                               float scale_h, int align, int rows) {
    const int p0 = get_global_id(0) * 16, ho = get_global_id(1), nk = get_global_id(2); // nk = n * C + channel
    if (p0 >= Wo || ho >= Ho || nk >= rows) return;
    const int n = nk / C, k = nk - n * C;
    int h0, h1;
    float lh;
    rs_taps(ho, H, scale_h, align, &h0, &h1, &lh);
    __global const float* top = t + (((size_t)n * H + h0) * C + k) * Wo + p0;
    __global const float* bottom = t + (((size_t)n * H + h1) * C + k) * Wo + p0;
    __global float* o = out + ((size_t)nk * Ho + ho) * Wo + p0;
    if (p0 + 16 <= Wo) {
        vstore16((1.0f - lh) * vload16(0, top) + lh * vload16(0, bottom), 0, o);
    } else {
        for (int j = 0; p0 + j < Wo; j++) o[j] = (1.0f - lh) * top[j] + lh * bottom[j];
    }
}
