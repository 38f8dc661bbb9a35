// The core of an inverted-residual block in one pass: the 1x1 expansion (+ bias, activation)
// and the depthwise conv (+ bias, activation) that reads it, without the expanded tensor ever
// reaching global memory (MobileNetV2/V3 and EfficientNet blocks; the squeeze-excite and the
// projection GEMM stay launches of their own).
//
//   E[y, x, c] = act_e(sum_k X[y, x, k] * We[k, c] + be[c])    zero outside the image (the
//                                                              depthwise conv's padding)
//   Y[y, x, c] = act_d(sum_{i, j} E[y*S - pad_t + i, x*S - pad_l + j, c] * Wd[i, j, c] + bd[c])
//
// A work-item owns XDW_VW channels of a strip of `cols` output columns (the whole width, unless
// the expanded row would not fit XDW_MAXROW pixels) over `rows` output rows of one image. It
// walks down its rows and expands each input row it needs once, only the pixels inside the
// image (outside them the ring holds zeros), into a ring of K rows in private memory (on a CPU:
// the L1 cache); an output row is made as soon as its K input rows are there. The expansion is
// recomputed only where strips or row chunks meet (K - S pixels), and at most XDW_PB - 1 pixels
// a row are computed past the image's edge and dropped.
//
// The expansion is the panel GEMM's micro-kernel turned on its side: per k XDW_NB vectors of
// XDW_VW weights and one broadcast input value for each of XDW_PB pixels (XDW_NB = 2: two FMAs
// per broadcast and 16 independent accumulators, where one vector left the loop at FMA latency);
// the depthwise conv takes XDW_OB output columns at a time.
//
// With nparts > 0 a work-item also adds up the outputs it stores, channel by channel, and writes
// the sums to parts[n, part, Cexp] (part = strip * chunks + chunk, nparts = strips * chunks per
// image): the partial sums of the squeeze-excite pool that reads this tensor next (excite.cl's
// SE_PARTS), which then needs no pass of its own over it.
//
// Layouts: X is NHWC [N, H, W, Cin], dense. We is packed as the panel GEMM's B (panel.h.cl),
// [Cpad / XDW_W][Cin][XDW_W] with XDW_W = XDW_VW * XDW_NB channels per work-item; Wd is
// [K * K][Cpad]; be and bd are [Cpad]: all zero past Cexp (Cpad = Cexp rounded up to XDW_W), so a
// ragged last panel computes zeros it does not store.
// Y is NHWC [N, Ho, Wo, Cexp].
// Global size: (Cpad / XDW_W, ceil(Wo / cols), N * chunks), chunks = ceil(Ho / rows).
//
// One kernel per (K, S) in {3, 5} x {1, 2}, so that K and S are constants the compiler unrolls
// by; the activations are arguments (ACT_* codes of common.h.cl), applied once per expanded or
// output vector, so one program of each kernel serves every activation. The ring is private
// memory of XDW_MAXK * XDW_MAXROW * XDW_NB vectors: for CPU runtimes (the host runs the two halves as
// separate launches elsewhere).

#include "common.h.cl"

// Tunables (set by -D from the host; these are the defaults):
#ifndef XDW_VW
#define XDW_VW 16 // channels per work-item: the device's preferred float vector width
#endif
#ifndef XDW_NB
#define XDW_NB 2 // vectors of channels per work-item
#endif
#ifndef XDW_MAXROW
#define XDW_MAXROW 136 // expanded pixels a ring row holds (the host cuts wider rows into strips)
#endif
#ifndef XDW_PB
#define XDW_PB 8 // pixels per register block of the expansion
#endif
#ifndef XDW_OB
#define XDW_OB 8 // output columns per register block of the depthwise conv
#endif

#define xvec FLOATN(XDW_VW)
#define XDW_W (XDW_VW * XDW_NB)
#define XDW_MAXK 5
// a ring row's slack: the last register blocks may read (depthwise) or write (expansion) up to
// a block past the pixels in use
#define XDW_RING (XDW_MAXROW + 2 * XDW_PB + XDW_OB * 2 + XDW_MAXK)

// acc[u][v] += X[pixel u] . We[:, vector v] for the first NV vectors of the work-item's channels
#define XDW_EXPAND(NV) \
    for (int k = 0; k < Cin; k++) { \
        xvec b[NV]; \
        _Pragma("unroll") for (int v = 0; v < NV; v++) b[v] = LDN(XDW_VW, bp, k * XDW_W + v * XDW_VW); \
        _Pragma("unroll") for (int u = 0; u < XDW_PB; u++) { \
            const xvec a = (xvec)(LD(xp[u], k)); \
            _Pragma("unroll") for (int v = 0; v < NV; v++) acc[u][v] = fma(a, b[v], acc[u][v]); \
        } \
    }

EDGECL_INLINE void xdw_body(const int K, const int S, __global const DATA_T* X, __global const DATA_T* We,
                            __global const DATA_T* be, __global const DATA_T* Wd, __global const DATA_T* bd,
                            __global DATA_T* Y, const int N, const int H, const int W, const int Cin,
                            const int Cexp, const int Cpad, const int Ho, const int Wo, const int pad_t,
                            const int pad_l, const int cols, const int rows, const int chunks, const int act_e,
                            const int act_d, __global float* parts, const int nparts) {
    const int p = get_global_id(0);
    const int ox0 = get_global_id(1) * cols;
    const int g = get_global_id(2);
    const int n = g / chunks;
    const int oy0 = (g - n * chunks) * rows;
    if (ox0 >= Wo || n >= N || oy0 >= Ho || p * XDW_W >= Cpad) return;
    const int oy1 = min(oy0 + rows, Ho), nout = min(cols, Wo - ox0);
    const int c0 = p * XDW_W;
    const int ix0 = ox0 * S - pad_l;        // the image column of ring pixel 0
    const int nin = (nout - 1) * S + K;     // ring pixels the strip's outputs read
    const int j_lo = max(0, -ix0);          // ring pixels inside the image: [j_lo, j_hi)
    const int j_hi = min(nin, W - ix0);
    const int iy_base = oy0 * S - pad_t;    // the ring's slot of input row iy is (iy - iy_base) % K

    __global const DATA_T* bp = We + (size_t)p * Cin * XDW_W;
    xvec bev[XDW_NB], bdv[XDW_NB];
    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) {
        bev[v] = LDN(XDW_VW, be, c0 + v * XDW_VW);
        bdv[v] = LDN(XDW_VW, bd, c0 + v * XDW_VW);
    }

    xvec ring[XDW_MAXK][XDW_RING][XDW_NB];
    // zero once: the padding columns stay zero, and no block reads a value never written
    for (int r = 0; r < K; r++)
        for (int j = 0; j < XDW_RING; j++)
            _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) ring[r][j][v] = (xvec)(0.0f);

    xvec psum[XDW_NB];
    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) psum[v] = (xvec)(0.0f);

    int iy_next = iy_base;
    for (int oy = oy0; oy < oy1; oy++) {
        const int iy_top = oy * S - pad_t;
        for (int iy = max(iy_next, iy_top); iy < iy_top + K; iy++) {
            xvec(*row)[XDW_NB] = ring[(iy - iy_base) % K];
            if (iy < 0 || iy >= H) {
                for (int j = j_lo; j < j_hi; j++)
                    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) row[j][v] = (xvec)(0.0f);
                continue;
            }
            __global const DATA_T* xrow = X + ((size_t)(n * H + iy) * W + ix0) * Cin;
            for (int j0 = j_lo; j0 < j_hi; j0 += XDW_PB) {
                // a block's pixels past j_hi read the last one in the image and are not kept
                __global const DATA_T* xp[XDW_PB];
                _Pragma("unroll") for (int u = 0; u < XDW_PB; u++) xp[u] = xrow + min(j0 + u, j_hi - 1) * Cin;
                xvec acc[XDW_PB][XDW_NB];
                _Pragma("unroll") for (int u = 0; u < XDW_PB; u++)
                    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) acc[u][v] = bev[v];
#if XDW_NB > 1
                // a last panel with one vector of channels in use skips the zero-padded others
                if (c0 + XDW_VW < Cexp) {
                    XDW_EXPAND(XDW_NB)
                } else {
                    XDW_EXPAND(1)
                }
#else
                XDW_EXPAND(1)
#endif
                _Pragma("unroll") for (int u = 0; u < XDW_PB; u++)
                    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) row[j0 + u][v] = edgecl_actn(XDW_VW, acc[u][v], act_e);
            }
            // what the last block wrote past the image is the padding again
            for (int j = j_hi; j < min(j_hi + XDW_PB, XDW_RING); j++)
                _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) row[j][v] = (xvec)(0.0f);
        }
        iy_next = iy_top + K;

        __global DATA_T* yrow = Y + ((size_t)(n * Ho + oy) * Wo + ox0) * Cexp + c0;
        for (int o0 = 0; o0 < nout; o0 += XDW_OB) {
            xvec out[XDW_OB][XDW_NB];
            _Pragma("unroll") for (int u = 0; u < XDW_OB; u++)
                _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) out[u][v] = bdv[v];
            _Pragma("unroll") for (int ky = 0; ky < K; ky++) {
                const xvec(*row)[XDW_NB] = ring[(iy_top + ky - iy_base) % K] + o0 * S;
                _Pragma("unroll") for (int kx = 0; kx < K; kx++) {
                    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) {
                        const xvec wv = LDN(XDW_VW, Wd, (ky * K + kx) * Cpad + c0 + v * XDW_VW);
                        _Pragma("unroll") for (int u = 0; u < XDW_OB; u++) out[u][v] = fma(row[u * S + kx][v], wv, out[u][v]);
                    }
                }
            }
            // The activation is a switch on its code: in a loop kept rolled it is compiled once,
            // not once per vector. Unrolled, the kernel took twice as long to compile and ran
            // 14-43% slower (all but the SiLU layers at 112^2).
            _Pragma("unroll 1") for (int u = 0; u < XDW_OB; u++) {
                if (o0 + u < nout) {
                    _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) {
                        const int ccount = min(XDW_VW, Cexp - c0 - v * XDW_VW);
                        const xvec r = edgecl_actn(XDW_VW, out[u][v], act_d);
                        psum[v] += r;
                        if (ccount == XDW_VW) {
                            STN(XDW_VW, yrow + v * XDW_VW, (o0 + u) * Cexp, r);
                        } else if (ccount > 0) {
                            float t[XDW_VW];
                            EDGECL_CAT(vstore, XDW_VW)(r, 0, t);
                            for (int c = 0; c < ccount; c++) ST(yrow + v * XDW_VW, (o0 + u) * Cexp + c, t[c]);
                        }
                    }
                }
            }
        }
    }
    if (nparts > 0) {
        // lanes past Cexp hold the padded channels' zeros and are not stored
        __global float* pp = parts + ((size_t)n * nparts + get_global_id(1) * chunks + (g - n * chunks)) * Cexp + c0;
        _Pragma("unroll") for (int v = 0; v < XDW_NB; v++) {
            const int ccount = min(XDW_VW, Cexp - c0 - v * XDW_VW);
            if (ccount == XDW_VW) {
                EDGECL_CAT(vstore, XDW_VW)(psum[v], 0, pp + v * XDW_VW);
            } else if (ccount > 0) {
                float t[XDW_VW];
                EDGECL_CAT(vstore, XDW_VW)(psum[v], 0, t);
                for (int c = 0; c < ccount; c++) pp[v * XDW_VW + c] = t[c];
            }
        }
    }
}

// The four kernels are written out, not made by a macro: a program holds only the kernels a plan
// launches, found by their names in this source (KernelSources.only).
__kernel void expand_dw_3x3s1(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int cols,
                                 int rows, int chunks, int act_e, int act_d, __global float* parts, int nparts) {
    xdw_body(3, 1, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, cols, rows, chunks, act_e, act_d, parts, nparts);
}

__kernel void expand_dw_3x3s2(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int cols,
                                 int rows, int chunks, int act_e, int act_d, __global float* parts, int nparts) {
    xdw_body(3, 2, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, cols, rows, chunks, act_e, act_d, parts, nparts);
}

__kernel void expand_dw_5x5s1(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int cols,
                                 int rows, int chunks, int act_e, int act_d, __global float* parts, int nparts) {
    xdw_body(5, 1, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, cols, rows, chunks, act_e, act_d, parts, nparts);
}

__kernel void expand_dw_5x5s2(__global const DATA_T* X, __global const DATA_T* We, __global const DATA_T* be,
                                 __global const DATA_T* Wd, __global const DATA_T* bd, __global DATA_T* Y, int N, int H,
                                 int W, int Cin, int Cexp, int Cpad, int Ho, int Wo, int pad_t, int pad_l, int cols,
                                 int rows, int chunks, int act_e, int act_d, __global float* parts, int nparts) {
    xdw_body(5, 2, X, We, be, Wd, bd, Y, N, H, W, Cin, Cexp, Cpad, Ho, Wo, pad_t, pad_l, cols, rows, chunks, act_e, act_d, parts, nparts);
}
