// A depthwise conv (+ bias, activation) and the 1x1 conv that reads it (+ the panel GEMM's
// epilogue: bias, activation, layer scale, residual) in one pass, the depthwise output never
// written: MobileNetV4's universal inverted bottlenecks (the start depthwise conv before the
// expansion, the middle one before the projection) and the depthwise-separable blocks of
// MobileNetV1/V2/V3.
//
//   D[m, k] = act_d(sum_{i, j} X[n, ho*S - pad_t + i, wo*S - pad_l + j, k] * Wd[i, j, k] + bd[k])
//   C[m, c] = epilogue(sum_k D[m, k] * B[k, c])                 m = (n * Ho + ho) * Wo + wo
//
// A work-item takes `tiles` tiles of PANEL_RM consecutive output pixels (rows of C), one after
// another, every column of each. It makes a tile's depthwise outputs, all K channels, into
// private memory (on a CPU: the L1 cache), then runs the panel GEMM's micro-kernel (panel.h.cl)
// over them panel by panel, reading A from there: each depthwise output is computed once, and no
// launch or tensor sits between the two.
//
// Layouts: X is NHWC [N, H, W, K], dense; Wd is [KS * KS][K] and bd [K] (the depthwise op's own);
// Bp is B [K, N] packed as the panel GEMM's (panel.h.cl); C and R are [M, N].
// K is a multiple of DWG_VW and at most DWG_KMAX. The window is 3x3 at stride 1 (5x5 windows
// and stride 2 measured behind the two launches): constants the compiler unrolls by, given to
// the body as arguments so that another window needs only a kernel of its own. The pads and
// the depthwise activation (ACT_* of common.h.cl) are arguments; the GEMM's epilogue is built in
// (HAS_BIAS, ACT, HAS_GAMMA, HAS_RESIDUAL) or, for a small one, the argument epi
// (PANEL_EPI_RUNTIME), as the panel GEMM takes it.
// A tile whose pixels lie in one output row with their windows inside the image (most tiles of
// a large map) loads each kernel row's (PANEL_RM - 1) * S + KS input vectors once and makes
// every tap a register FMA, each weight vector loaded once for the tile; other tiles take their
// pixels one by one, taps outside the image skipped.
// Global size: (ceil(M / (PANEL_RM * tiles))), M = N * Ho * Wo; on a CPU runtime one work-item
// per work-group (PoCL keeps a group's private arrays side by side on its worker's stack).
// For CPU runtimes: elsewhere the host runs the two halves as launches of their own.

#ifndef PANEL_EPI_RUNTIME
#define PANEL_EPI_RUNTIME 1
#endif
#ifndef PANEL_RM
#define PANEL_RM 8
#endif
#ifndef PANEL_NB
#define PANEL_NB 2
#endif

#include "common.h.cl"
#include "panel.h.cl" // the GEMM half's micro-kernel and epilogue

// Tunables (set by -D from the host; these are the defaults):
#ifndef DWG_VW
#define DWG_VW 16 // channels per depthwise vector: the device's preferred float vector width
#endif
#ifndef DWG_KMAX
#define DWG_KMAX 512 // channels the private tile holds per pixel
#endif

#define dvec FLOATN(DWG_VW)
// the tile's row stride: a cache line more than the channels, so that rows a power of two apart
// do not all fall in the same sets of the L1 cache
#define DWG_LD (DWG_KMAX + 16)

// The depthwise outputs of the tile's pixels, every channel, into tile[i * DWG_LD + c]. Each
// path has its channel loop inside it, so that what one path hoists out of that loop (the edge
// path's tap bounds) is not worked out for tiles that take the other.
EDGECL_INLINE void dwg_depthwise(const int KS, const int S, __global const DATA_T* X, __global const DATA_T* wd,
                                 __global const DATA_T* bd, int dw_act, int H, int W, int K, const int* hi0,
                                 const int* wi0, const int* img, bool row, float* tile) {
    if (row) {
        // one output row, every window inside: each input vector loaded once per kernel row, and
        // each weight vector once for the tile
        __global const DATA_T* base = X + ((size_t)(img[0] * H + hi0[0]) * W + wi0[0]) * K;
        for (int c = 0; c < K; c += DWG_VW) {
            dvec acc[PANEL_RM];
            const dvec b0 = LDN(DWG_VW, bd, c);
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) acc[i] = b0;
            _Pragma("unroll") for (int kh = 0; kh < KS; kh++) {
                dvec x[(PANEL_RM - 1) * 2 + 5]; // room for a 5x5 window at stride 2
                _Pragma("unroll") for (int j = 0; j < (PANEL_RM - 1) * S + KS; j++)
                    x[j] = LDN(DWG_VW, base, ((size_t)kh * W + j) * K + c);
                _Pragma("unroll") for (int kw = 0; kw < KS; kw++) {
                    const dvec wk = LDN(DWG_VW, wd, (kh * KS + kw) * K + c);
                    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) acc[i] = fma(x[i * S + kw], wk, acc[i]);
                }
            }
            // rolled: the activation, a switch on its code, compiled once rather than per pixel
            _Pragma("unroll 1") for (int i = 0; i < PANEL_RM; i++)
                EDGECL_CAT(vstore, DWG_VW)(edgecl_actn(DWG_VW, acc[i], dw_act), 0, tile + i * DWG_LD + c);
        }
        return;
    }
    // pixel by pixel: a window inside the image as unrolled taps, each weight vector loaded once
    // for the tile; one that is not, over its taps inside the image
    int origin[PANEL_RM]; // the offset of tap (0, 0), outside the image where the window is
    bool inside[PANEL_RM];
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
        origin[i] = ((img[i] * H + hi0[i]) * W + wi0[i]) * K;
        inside[i] = hi0[i] >= 0 && hi0[i] + KS <= H && wi0[i] >= 0 && wi0[i] + KS <= W;
    }
    for (int c = 0; c < K; c += DWG_VW) {
        dvec wk[25]; // room for a 5x5 window
        _Pragma("unroll") for (int t = 0; t < KS * KS; t++) wk[t] = LDN(DWG_VW, wd, t * K + c);
        const dvec b0 = LDN(DWG_VW, bd, c);
        // rolled, likewise: unrolled, both paths and the activation were compiled once per
        // pixel, for no speed (the edge tiles of a large map are few, a small map's taps few)
        _Pragma("unroll 1") for (int i = 0; i < PANEL_RM; i++) {
            dvec acc = b0;
            if (inside[i]) {
                _Pragma("unroll") for (int kh = 0; kh < KS; kh++)
                    _Pragma("unroll") for (int kw = 0; kw < KS; kw++)
                        acc = fma(LDN(DWG_VW, X, origin[i] + (kh * W + kw) * K + c), wk[kh * KS + kw], acc);
            } else {
                const int kh0 = max(0, -hi0[i]), kh1 = min(KS, H - hi0[i]);
                const int kw0 = max(0, -wi0[i]), kw1 = min(KS, W - wi0[i]);
                for (int kh = kh0; kh < kh1; kh++)
                    for (int kw = kw0; kw < kw1; kw++)
                        acc = fma(LDN(DWG_VW, X, origin[i] + (kh * W + kw) * K + c),
                                  LDN(DWG_VW, wd, (kh * KS + kw) * K + c), acc);
            }
            EDGECL_CAT(vstore, DWG_VW)(edgecl_actn(DWG_VW, acc, dw_act), 0, tile + i * DWG_LD + c);
        }
    }
}

// Rows m0 .. m0 + PANEL_RM - 1 of C (past M: row M - 1 again, not stored), through `tile`.
EDGECL_INLINE void dwg_tile(const int KS, const int S, __global const DATA_T* X, __global const DATA_T* wd,
                            __global const DATA_T* bd, int dw_act, __global const DATA_T* Bp,
                            __global const DATA_T* bias, __global const DATA_T* gamma, __global const DATA_T* R,
                            __global DATA_T* C, int H, int W, int K, int N, int Ho, int Wo, int pad_t, int pad_l,
                            int M, int epi, const int m0, float* tile) {
    int hi0[PANEL_RM], wi0[PANEL_RM], img[PANEL_RM];
    panel_pixels(m0, M, Ho, Wo, S, pad_t, pad_l, hi0, wi0, img);
    // the tile's pixels on one output row, every window inside the image
    const bool row = m0 + PANEL_RM <= M && m0 % Wo + PANEL_RM <= Wo && hi0[0] >= 0 && hi0[0] + KS <= H
            && wi0[0] >= 0 && wi0[0] + (PANEL_RM - 1) * S + KS <= W;
    dwg_depthwise(KS, S, X, wd, bd, dw_act, H, W, K, hi0, wi0, img, row, tile);
    floatV acc[PANEL_RM][PANEL_NB];
    floatV b[PANEL_NB];
    for (int p = 0; p * PANEL_W < N; p++) {
        _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++)
            _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) acc[i][v] = (floatV)(0.0f);
        __global const DATA_T* bp = Bp + (size_t)p * K * PANEL_W;
        for (int k = 0; k < K; k++) {
            panel_load_b(bp + k * PANEL_W, b);
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) PANEL_FMA_ROW(i, tile[i * DWG_LD + k]);
        }
        panel_store(acc, m0, M, p * PANEL_W, N, N, bias, gamma, R, C, epi);
    }
}

// A work-item's `tiles` tiles, one after another through one private tile.
EDGECL_INLINE void dwg_body(const int KS, const int S, __global const DATA_T* X, __global const DATA_T* wd,
                            __global const DATA_T* bd, int dw_act, __global const DATA_T* Bp,
                            __global const DATA_T* bias, __global const DATA_T* gamma, __global const DATA_T* R,
                            __global DATA_T* C, int H, int W, int K, int N, int Ho, int Wo, int pad_t, int pad_l,
                            int M, int tiles, int epi) {
    float tile[PANEL_RM * DWG_LD];
    for (int t = 0; t < tiles; t++) {
        const int m0 = (get_global_id(0) * tiles + t) * PANEL_RM;
        if (m0 >= M) return;
        dwg_tile(KS, S, X, wd, bd, dw_act, Bp, bias, gamma, R, C, H, W, K, N, Ho, Wo, pad_t, pad_l, M, epi, m0, tile);
    }
}

__kernel void dw_gemm_3x3s1(__global const DATA_T* X, __global const DATA_T* wd, __global const DATA_T* bd, int dw_act,
                            __global const DATA_T* Bp, __global const DATA_T* bias, __global const DATA_T* gamma,
                            __global const DATA_T* R, __global DATA_T* C, int H, int W, int K, int N, int Ho, int Wo,
                            int pad_t, int pad_l, int M, int tiles, int epi) {
    dwg_body(3, 1, X, wd, bd, dw_act, Bp, bias, gamma, R, C, H, W, K, N, Ho, Wo, pad_t, pad_l, M, tiles, epi);
}
