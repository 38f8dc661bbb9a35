// The core of an inverted-residual block in one pass: the 1x1 expansion (+ bias, activation)
// and the depthwise conv (+ bias, activation) that reads it, without the expanded tensor ever
// reaching global memory (MobileNetV2/V3 and EfficientNet blocks; the squeeze-excite and the
// projection GEMM stay launches of their own).
//
//   E[y, x, c] = act_e(sum_k X[y, x, k] * We[k, c] + be[c])    zero outside the image (the
//                                                              depthwise conv's padding)
//   Y[y, x, c] = act_d(sum_{i, j} E[y*S - pad_t + i, x*S - pad_l + j, c] * Wd[i, j, c] + bd[c])
//
// A work-item owns XDW_VW channels x TW output columns of `rows` output rows of one image.
// It walks down its rows and expands each input row it needs once, the (TW - 1) * S + K
// pixels under its columns, into a ring of K rows in private memory; an output row is made as
// soon as its K input rows are there. The expansion is recomputed only where neighbouring
// items' windows overlap: K - S columns per item, K - S rows per item of rows.
//
// The expansion is the panel GEMM's micro-kernel turned on its side: per k one vector of XDW_VW
// weights and one broadcast input value per pixel, all pixels of the row in registers.
//
// Layouts: X is NHWC [N, H, W, Cin], dense. We is packed as the panel GEMM's B (panel.h.cl),
// [Cpad / XDW_VW][Cin][XDW_VW]; Wd is [K * K][Cpad]; be and bd are [Cpad]: all zero past Cexp
// (Cpad = Cexp rounded up to XDW_VW), so a ragged last panel computes zeros it does not store.
// Y is NHWC [N, Ho, Wo, Cexp].
// Global size: (Cpad / XDW_VW, ceil(Wo / TW), N * chunks), chunks = ceil(Ho / rows).
//
// One kernel per (K, S) in {3, 5} x {1, 2}, so that K and S are constants the compiler unrolls
// by; the activations are arguments (ACT_* codes of common.h.cl), applied once per expanded or
// output vector, so one program of each kernel serves every activation.

#include "common.h.cl"

// Tunables (set by -D from the host; this is the default):
#ifndef XDW_VW
#define XDW_VW 16 // channels per work-item: the device's preferred float vector width
#endif

#define xvec FLOATN(XDW_VW)
// Output columns per work-item: 16 at stride 1, 8 at stride 2, so that the expanded pixels of
// a row (at most 20, K = 5) stay in registers beside the weight vector on 32-register SIMD
// units and the recomputed overlap is K - S of them.
#define XDW_TW(S) ((S) == 1 ? 16 : 8)
#define XDW_MAXK 5
#define XDW_MAXROW 20
#define XDW_MAXTW 16

// Lanes j < n of p[i ..] (past them: zero), as one vector.
EDGECL_INLINE xvec xdw_load_part(__global const DATA_T* p, int i, int n) {
    float t[XDW_VW];
    _Pragma("unroll") for (int j = 0; j < XDW_VW; j++) t[j] = j < n ? LD(p, i + j) : 0.0f;
    return EDGECL_CAT(vload, XDW_VW)(0, t);
}

EDGECL_INLINE void xdw_body(const int K, const int S, __global const DATA_T* X, __global const DATA_T* We,
                            __global const DATA_T* be, __global const DATA_T* Wd, __global const DATA_T* bd,
                            __global DATA_T* Y, const int N, const int H, const int W, const int Cin, const int Cexp, const int Cpad,
                            const int Ho, const int Wo, const int pad_t, const int pad_l, const int rows,
                            const int chunks, const int act_e, const int act_d) {
    const int TW = XDW_TW(S);
    const int TWI = (TW - 1) * S + K; // expanded pixels per row under the item's columns
    const int p = get_global_id(0);
    const int ox0 = get_global_id(1) * TW;
    const int g = get_global_id(2);
    const int n = g / chunks;
    const int oy0 = (g - n * chunks) * rows;
    if (ox0 >= Wo || n >= N || oy0 >= Ho || p * XDW_VW >= Cpad) return;
    const int oy1 = min(oy0 + rows, Ho);
    const int c0 = p * XDW_VW;
    const int ix0 = ox0 * S - pad_l;
    const int iy_base = oy0 * S - pad_t; // the ring's slot of input row iy is (iy - iy_base) % K

    __global const DATA_T* bp = We + (size_t)p * Cin * XDW_VW;
    const xvec bev = LDN(XDW_VW, be, c0);
    const xvec bdv = LDN(XDW_VW, bd, c0);

    // Which pixels of the window lie in the image: one outside is computed from the nearest
    // real one and then zeroed, so the inner loop has no edge test.
    bool xin[XDW_MAXROW];
    _Pragma("unroll") for (int j = 0; j < TWI; j++) xin[j] = ix0 + j >= 0 && ix0 + j < W;

    xvec ring[XDW_MAXK][XDW_MAXROW];
    int iy_next = iy_base;
    for (int oy = oy0; oy < oy1; oy++) {
        const int iy_top = oy * S - pad_t;
        for (int iy = max(iy_next, iy_top); iy < iy_top + K; iy++) {
            const int slot = (iy - iy_base) % K;
            if (iy < 0 || iy >= H) {
                _Pragma("unroll") for (int j = 0; j < TWI; j++) ring[slot][j] = (xvec)(0.0f);
                continue;
            }
            __global const DATA_T* xrow = X + (size_t)(n * H + iy) * W * Cin;
            // a pointer per pixel, as the panel GEMM keeps one per row: the loop then reads
            // each input value as a broadcast operand of its FMA
            __global const DATA_T* xp[XDW_MAXROW];
            _Pragma("unroll") for (int j = 0; j < TWI; j++) xp[j] = xrow + clamp(ix0 + j, 0, W - 1) * Cin;
            xvec acc[XDW_MAXROW];
            _Pragma("unroll") for (int j = 0; j < TWI; j++) acc[j] = bev;
            for (int k = 0; k < Cin; k++) {
                const xvec b = LDN(XDW_VW, bp, k * XDW_VW);
                _Pragma("unroll") for (int j = 0; j < TWI; j++) acc[j] = fma((xvec)(LD(xp[j], k)), b, acc[j]);
            }
            _Pragma("unroll") for (int j = 0; j < TWI; j++) {
                ring[slot][j] = xin[j] ? edgecl_actn(XDW_VW, acc[j], act_e) : (xvec)(0.0f);
            }
        }
        iy_next = iy_top + K;

        xvec out[XDW_MAXTW];
        _Pragma("unroll") for (int j = 0; j < TW; j++) out[j] = bdv;
        _Pragma("unroll") for (int ky = 0; ky < K; ky++) {
            const int slot = (iy_top + ky - iy_base) % K;
            _Pragma("unroll") for (int kx = 0; kx < K; kx++) {
                const xvec wv = LDN(XDW_VW, Wd, (ky * K + kx) * Cpad + c0);
                _Pragma("unroll") for (int j = 0; j < TW; j++) out[j] = fma(ring[slot][j * S + kx], wv, out[j]);
            }
        }
        const int cols = min(XDW_VW, Cexp - c0);
        __global DATA_T* yrow = Y + (size_t)((n * Ho + oy) * Wo) * Cexp + c0;
        _Pragma("unroll") for (int j = 0; j < TW; j++) {
            if (ox0 + j < Wo) {
                const xvec v = edgecl_actn(XDW_VW, out[j], act_d);
                if (cols == XDW_VW) {
                    STN(XDW_VW, yrow, (ox0 + j) * Cexp, v);
                } else {
                    float t[XDW_VW];
                    EDGECL_CAT(vstore, XDW_VW)(v, 0, t);
                    for (int c = 0; c < cols; c++) ST(yrow, (ox0 + j) * Cexp + c, t[c]);
                }
            }
        }
    }
}

__kernel void expand_dw_3x3s1(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int rows,
                                 int chunks, int act_e, int act_d) {
    xdw_body(3, 1, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, rows, chunks, act_e, act_d);
}

__kernel void expand_dw_3x3s2(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int rows,
                                 int chunks, int act_e, int act_d) {
    xdw_body(3, 2, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, rows, chunks, act_e, act_d);
}

__kernel void expand_dw_5x5s1(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int rows,
                                 int chunks, int act_e, int act_d) {
    xdw_body(5, 1, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, rows, chunks, act_e, act_d);
}

__kernel void expand_dw_5x5s2(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int rows,
                                 int chunks, int act_e, int act_d) {
    xdw_body(5, 2, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, rows, chunks, act_e, act_d);
}
