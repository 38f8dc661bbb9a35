// Dense 2-D convolution (groups = 1) over NHWC activations: the patchify / overlapping stems
// and the 2x2 stride-2 downsampling convolutions.
//
//   out[n, ho, wo, co] = bias[co] + sum_{kh, kw, ci} in[n, ho*S - P + kh, wo*S - P + kw, ci] * w[kh, kw, ci, co]
//
// Weights are re-laid out at load time from PyTorch's [Cout, Cin, KH, KW] to [KH, KW, Cin, Cout]
// so neighbouring work-items (consecutive co) read consecutive weights.
// Global size: (Cout, Wo, N * Ho), each work-item one output element.

#include "common.h.cl"
#include "panel.h.cl" // the implicit-GEMM variant's micro-kernel

// CONV_INTERIOR 1 (conv2d_panel): the host knows every window lies inside the image.
#ifndef CONV_INTERIOR
#define CONV_INTERIOR 0
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 1
#endif
// Tap spacing (PyTorch's dilation; the atrous convolutions of DeepLabV3's ASPP). With
// CONV_DIL > 1, conv2d_panel takes the per-tap path only: a kernel row's taps are not
// contiguous in memory.
#ifndef CONV_DIL
#define CONV_DIL 1
#endif
#ifndef ACT
#define ACT ACT_NONE
#endif
// CONV_NCHW C > 0 (conv2d_panel): the input is the network's, C channels of NCHW floats as the
// caller gave them (a network's first conv), read without the layout launch to_nhwc; the output
// stays NHWC. The window is then CONV_KH x CONV_KW, fixed at build time like the channels.
#ifndef CONV_NCHW
#define CONV_NCHW 0
#endif
#ifndef CONV_KH
#define CONV_KH 3
#endif
#ifndef CONV_KW
#define CONV_KW 3
#endif
#if CONV_NCHW
#define CONV_IN_T float
#else
#define CONV_IN_T DATA_T
#endif

__kernel void conv2d(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                     __global DATA_T* out, int H, int W, int Cin, int Cout, int Ho, int Wo,
                     int KH, int KW, int stride, int pad_h, int pad_w, int rows) {
    const int co = get_global_id(0);
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (co >= Cout || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float acc = 0.0f;
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh * CONV_DIL;
        if (hi < 0 || hi >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
            const int wi = wo * stride - pad_w + kw * CONV_DIL;
            if (wi < 0 || wi >= W) continue;
            const int ib = ((n * H + hi) * W + wi) * Cin;
            const int wb = (kh * KW + kw) * Cin * Cout + co;
            for (int ci = 0; ci < Cin; ci++) acc = fma(LD(in, ib + ci), LD(w, wb + ci * Cout), acc);
        }
    }
#if HAS_BIAS
    acc += LD(bias, co);
#endif
    ST(out, (nho * Wo + wo) * Cout + co, edgecl_act(acc, ACT));
}

// Four output channels × four consecutive output columns per work-item (Cout a multiple of 4):
// every weight vector is used four times and every input value four times, from registers.
// Global size: (Cout / 4, ceil(Wo / 4), N * Ho).
__kernel void conv2d_c4w4(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                          __global DATA_T* out, int H, int W, int Cin, int Cout, int Ho, int Wo,
                          int KH, int KW, int stride, int pad_h, int pad_w, int rows) {
    const int co = get_global_id(0) * 4;
    const int wo0 = get_global_id(1) * 4;
    const int nho = get_global_id(2);
    if (co >= Cout || wo0 >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float4 acc0 = (float4)(0.0f), acc1 = (float4)(0.0f), acc2 = (float4)(0.0f), acc3 = (float4)(0.0f);
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh * CONV_DIL;
        if (hi < 0 || hi >= H) continue;
        const int rowb = (n * H + hi) * W;
        for (int kw = 0; kw < KW; kw++) {
            const int wi0 = wo0 * stride - pad_w + kw * CONV_DIL;
            // columns outside the image (or past Wo) contribute zero
            const bool v0 = wi0 >= 0 && wi0 < W;
            const bool v1 = wo0 + 1 < Wo && wi0 + stride >= 0 && wi0 + stride < W;
            const bool v2 = wo0 + 2 < Wo && wi0 + 2 * stride >= 0 && wi0 + 2 * stride < W;
            const bool v3 = wo0 + 3 < Wo && wi0 + 3 * stride >= 0 && wi0 + 3 * stride < W;
            const int wb = (kh * KW + kw) * Cin * Cout + co;
            for (int ci = 0; ci < Cin; ci++) {
                const int q = wb + ci * Cout;
                const float4 wv = (float4)(LD(w, q), LD(w, q + 1), LD(w, q + 2), LD(w, q + 3));
                if (v0) acc0 = fma((float4)(LD(in, (rowb + wi0) * Cin + ci)), wv, acc0);
                if (v1) acc1 = fma((float4)(LD(in, (rowb + wi0 + stride) * Cin + ci)), wv, acc1);
                if (v2) acc2 = fma((float4)(LD(in, (rowb + wi0 + 2 * stride) * Cin + ci)), wv, acc2);
                if (v3) acc3 = fma((float4)(LD(in, (rowb + wi0 + 3 * stride) * Cin + ci)), wv, acc3);
            }
        }
    }
#if HAS_BIAS
    const float4 b = (float4)(LD(bias, co), LD(bias, co + 1), LD(bias, co + 2), LD(bias, co + 3));
#else
    const float4 b = (float4)(0.0f);
#endif
    float4 accs[4] = {acc0, acc1, acc2, acc3};
    for (int j = 0; j < 4; j++) {
        if (wo0 + j >= Wo) break;
        const float4 v = edgecl_act4(accs[j] + b, ACT);
        const int o = (nho * Wo + wo0 + j) * Cout + co;
        ST(out, o, v.x);
        ST(out, o + 1, v.y);
        ST(out, o + 2, v.z);
        ST(out, o + 3, v.w);
    }
}

// ---------------------------------------------------------------------------------------------
// Implicit GEMM on the panel micro-kernel (panel.h.cl), for CPU runtimes: rows are output pixels
// (M = N * Ho * Wo), columns output channels, and K runs over (kh, kw, ci), so the weights
// [KH, KW, Cin, Cout] are B [K, Cout], packed into panels at load time. Each work-item owns
// PANEL_RM consecutive output pixels x PANEL_W channels; a tap outside the image contributes
// zero, and kernel rows whose window is inside the image for every row take one loop over
// their KW * Cin contiguous inputs without a test.
// Global size: (ceil(Cout / PANEL_W), ceil(N * Ho * Wo / PANEL_RM)).
__kernel void conv2d_panel(__global const CONV_IN_T* in, __global const DATA_T* Bp, __global const DATA_T* bias,
                           __global DATA_T* out, int H, int W, int Cin, int Cout, int Ho, int Wo,
                           int KH, int KW, int stride, int pad_h, int pad_w, int rows, int epi) {
    const int p = get_global_id(0);
    const int m0 = get_global_id(1) * PANEL_RM;
    const int M = rows * Wo;
    if (p * PANEL_W >= Cout || m0 >= M) return;
    int hi0[PANEL_RM], wi0[PANEL_RM], img[PANEL_RM];
    panel_pixels(m0, M, Ho, Wo, stride, pad_h, pad_w, hi0, wi0, img);
    const int K = KH * KW * Cin;
    __global const DATA_T* bpanel = Bp + (size_t)p * K * PANEL_W;
    floatV acc[PANEL_RM][PANEL_NB];
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++)
        _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) acc[i][v] = (floatV)(0.0f);
    floatV b[PANEL_NB];
    const int run = KW * Cin;
#if CONV_NCHW
    // Channel ci of pixel (hi, wi) is at ((img * Cin + ci) * H + hi) * W + wi: a tap's channels
    // are a plane apart, so the loops go tap by tap, over the window and channel counts this
    // program was built for; the packed rows are in the same (kh, kw, ci) order. A tile whose
    // every window is inside the image runs them all unrolled (27 steps for an RGB 3x3 stem)
    // without a test. The few tiles at the border take the same steps rolled, a tap outside
    // the image adding zero: unrolled too, they made the program several times slower to
    // compile (PoCL compiles at the first launch) for no gain.
    const int plane = H * W;
    bool interior = true;
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
        interior = interior && hi0[i] >= 0 && hi0[i] + (CONV_KH - 1) * CONV_DIL < H && wi0[i] >= 0
                && wi0[i] + (CONV_KW - 1) * CONV_DIL < W;
    }
    if (interior) {
        __global const float* a[PANEL_RM];
        _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) a[i] = in + (img[i] * CONV_NCHW * H + hi0[i]) * W + wi0[i];
        _Pragma("unroll") for (int kh = 0; kh < CONV_KH; kh++) {
            _Pragma("unroll") for (int kw = 0; kw < CONV_KW; kw++) {
                _Pragma("unroll") for (int ci = 0; ci < CONV_NCHW; ci++) {
                    panel_load_b(bpanel + ((kh * CONV_KW + kw) * CONV_NCHW + ci) * PANEL_W, b);
                    const int off = ci * plane + (kh * W + kw) * CONV_DIL;
                    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) PANEL_FMA_ROW(i, a[i][off]);
                }
            }
        }
    } else {
        _Pragma("unroll 1") for (int kh = 0; kh < CONV_KH; kh++) {
            _Pragma("unroll 1") for (int kw = 0; kw < CONV_KW; kw++) {
                // a pixel whose tap is outside points at the image's start, read by no one
                __global const float* t[PANEL_RM];
                bool inside[PANEL_RM];
                _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
                    const int hi = hi0[i] + kh * CONV_DIL, wi = wi0[i] + kw * CONV_DIL;
                    inside[i] = hi >= 0 && hi < H && wi >= 0 && wi < W;
                    t[i] = in + (inside[i] ? (img[i] * CONV_NCHW * H + hi) * W + wi : 0);
                }
                _Pragma("unroll 1") for (int ci = 0; ci < CONV_NCHW; ci++) {
                    panel_load_b(bpanel + ((kh * CONV_KW + kw) * CONV_NCHW + ci) * PANEL_W, b);
                    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
                        PANEL_FMA_ROW(i, inside[i] ? t[i][ci * plane] : 0.0f);
                    }
                }
            }
        }
    }
    panel_store(acc, m0, M, p * PANEL_W, Cout, Cout, bias, bias, bias, out, epi);
#else // NHWC
    // A kernel row whose window lies inside the image for every row of the tile (every row of
    // most tiles, and of all tiles of a convolution without padding) takes one loop over its
    // KW * Cin contiguous inputs (NHWC: the KW taps of a row are consecutive, in the order of
    // the packed weights) without a test; other rows go tap by tap. One copy of each loop keeps
    // the program small: PoCL compiles a kernel at its first launch, in time that grows with
    // the unrolled tile bodies it holds.
    for (int kh = 0; kh < KH; kh++) {
#if CONV_INTERIOR
        const bool whole = true;
#else
        bool whole = CONV_DIL == 1;
        _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
            const int hi = hi0[i] + kh;
            whole = whole && hi >= 0 && hi < H && wi0[i] >= 0 && wi0[i] + KW <= W;
        }
#endif
        __global const DATA_T* brow = bpanel + kh * run * PANEL_W;
        if (whole) {
            __global const DATA_T* a[PANEL_RM];
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) a[i] = in + ((img[i] * H + hi0[i] + kh) * W + wi0[i]) * Cin;
            for (int j = 0; j < run; j++) {
                panel_load_b(brow + j * PANEL_W, b);
                _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) PANEL_FMA_ROW(i, LD(a[i], j));
            }
            continue;
        }
#if !CONV_INTERIOR
        for (int kw = 0; kw < KW; kw++) {
            __global const DATA_T* a[PANEL_RM];
            bool inside[PANEL_RM];
            bool any = false;
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
                const int hi = hi0[i] + kh * CONV_DIL, wi = wi0[i] + kw * CONV_DIL;
                inside[i] = hi >= 0 && hi < H && wi >= 0 && wi < W;
                any = any || inside[i];
                a[i] = in + (inside[i] ? ((img[i] * H + hi) * W + wi) * Cin : 0);
            }
            // a tap outside the image for every row of the tile adds nothing (most taps of a
            // widely dilated conv near the border)
            if (!any) continue;
            __global const DATA_T* bp = brow + kw * Cin * PANEL_W;
            for (int ci = 0; ci < Cin; ci++) {
                panel_load_b(bp + ci * PANEL_W, b);
                _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
                    PANEL_FMA_ROW(i, inside[i] ? LD(a[i], ci) : 0.0f);
                }
            }
        }
#endif
    }
    panel_store(acc, m0, M, p * PANEL_W, Cout, Cout, bias, bias, bias, out, epi);
#endif // NHWC
}
