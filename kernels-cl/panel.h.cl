// Register-blocked micro-kernel shared by the panel GEMM (gemm.cl) and the implicit-GEMM
// convolution (conv2d.cl), for CPU runtimes and other devices without fast local memory.
//
// Each work-item owns PANEL_RM rows x PANEL_W columns of C, with PANEL_W = PANEL_VW * PANEL_NB:
// PANEL_NB accumulators of the explicit vector type floatPANEL_VW per row. The vector type
// decides the instruction width on CPU runtimes (PoCL compiles float16 to 512-bit FMAs, float4
// to 128-bit ones, and does not widen scalar loops), so PANEL_VW is the device's preferred
// float vector width.
//
// B (the weights) is packed at load time into panels of PANEL_W columns, zero-padded past N:
//   Bp[(p * K + k) * PANEL_W + j] = B[k, p * PANEL_W + j]
// so the inner loop reads PANEL_W contiguous values per k with no edge test, and every A value
// read (one broadcast) feeds PANEL_NB vector FMAs. A panel is K * PANEL_W floats: streamed from
// L2 at PANEL_W * 4 bytes per PANEL_RM * PANEL_NB FMAs, far below what L2 delivers, so K needs no
// blocking for the networks' K (<= a few thousand).
//
// The epilogue (bias, activation, layer scale, residual) runs on the accumulators as they are,
// one vector of PANEL_VW columns at a time; only a panel's ragged last vector goes through a
// per-lane copy.
#ifndef EDGECL_PANEL_H_CL
#define EDGECL_PANEL_H_CL

#include "common.h.cl"

// Tunables (set by -D from the host's per-device table; these are the defaults):
#ifndef PANEL_VW
#define PANEL_VW 16
#endif
#ifndef PANEL_NB
#define PANEL_NB 1
#endif
#ifndef PANEL_RM
#define PANEL_RM 8
#endif
#define PANEL_W (PANEL_VW * PANEL_NB)

#define floatV FLOATN(PANEL_VW)

// The epilogue comes in two forms. By default it is fixed at build time (ACT, HAS_BIAS,
// HAS_GAMMA, HAS_RESIDUAL) and runs on the accumulators in registers: the fastest, one program
// per epilogue. With PANEL_EPI_RUNTIME 1 it is the kernel's argument epi (the activation code
// in the low four bits, then a bit each for bias, layer scale and residual) and runs over the
// tile in a loop kept rolled, the activation's code compiled once: one program for every
// epilogue, compiled in a fraction of the time, and slower by up to a fifth on a GELU GEMM
// (ConvNeXt's MLPs) - so the host uses it where the GEMM is small enough for that not to count.
#ifndef PANEL_EPI_RUNTIME
#define PANEL_EPI_RUNTIME 0
#endif
#define PANEL_EPI_ACT 15
#define PANEL_EPI_BIAS 16
#define PANEL_EPI_GAMMA 32
#define PANEL_EPI_RESIDUAL 64

// An implicit-GEMM convolution's tile: the window origins (top row hi0, left column wi0) and
// images of its PANEL_RM output pixels m0 .. m0 + PANEL_RM - 1 (m = (n * Ho + ho) * Wo + wo), by
// stepping from the first (integer division costs more than the FMAs of a small-K tile); rows
// past M repeat row M - 1.
EDGECL_INLINE void panel_pixels(int m0, int M, int Ho, int Wo, int stride, int pad_h, int pad_w, int* hi0, int* wi0,
                                int* img) {
    int wo = m0 % Wo, ho = (m0 / Wo) % Ho, n = m0 / (Wo * Ho);
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
        hi0[i] = ho * stride - pad_h;
        wi0[i] = wo * stride - pad_w;
        img[i] = n;
        if (m0 + i + 1 < M && ++wo == Wo) {
            wo = 0;
            if (++ho == Ho) {
                ho = 0;
                n++;
            }
        }
    }
}

// acc[i][v] += a_i * b_v for one k, with the B vectors already loaded into b[].
#if PANEL_NB == 1
#define PANEL_FMA_ROW(i, a) acc[i][0] = fma((floatV)(a), b[0], acc[i][0])
#else
#define PANEL_FMA_ROW(i, a) \
    do { \
        const floatV a_ = (floatV)(a); \
        _Pragma("unroll") for (int v_ = 0; v_ < PANEL_NB; v_++) acc[i][v_] = fma(a_, b[v_], acc[i][v_]); \
    } while (0)
#endif

EDGECL_INLINE void panel_load_b(__global const DATA_T* bp, floatV* b) {
    _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) b[v] = LDN(PANEL_VW, bp, v * PANEL_VW);
}

// Lanes j < n of vector i of p (past them: zero), as one vector. A 16-lane vector with 8 or
// more lanes in use reads its first half as one 8-lane load: the networks' ragged panels are
// mostly 8 columns (24, 40, 72, 120, 200 channels).
EDGECL_INLINE floatV panel_load_part(__global const DATA_T* p, int i, int n) {
#if PANEL_VW == 16
    if (n >= 8) {
        float t[8];
        _Pragma("unroll") for (int j = 0; j < 8; j++) t[j] = 8 + j < n ? LD(p, i + 8 + j) : 0.0f;
        return (float16)(LDN(8, p, i), vload8(0, t));
    }
#endif
    float t[PANEL_VW];
    _Pragma("unroll") for (int j = 0; j < PANEL_VW; j++) t[j] = j < n ? LD(p, i + j) : 0.0f;
    return EDGECL_CAT(vload, PANEL_VW)(0, t);
}

// Stores lanes j < n of x at p[i ..]; as panel_load_part, 8 of 16 lanes as one 8-lane store.
EDGECL_INLINE void panel_store_part(__global DATA_T* p, int i, int n, floatV x) {
#if PANEL_VW == 16
    if (n >= 8) {
        STN(8, p, i, x.lo);
        float t[8];
        vstore8(x.hi, 0, t);
        for (int j = 8; j < n; j++) ST(p, i + j, t[j - 8]);
        return;
    }
#endif
    float t[PANEL_VW];
    EDGECL_CAT(vstore, PANEL_VW)(x, 0, t);
    for (int j = 0; j < n; j++) ST(p, i + j, t[j]);
}

// Stores rows m0 .. min(m0 + PANEL_RM, M) - 1 of the tile, columns n0 .. n0 + PANEL_W - 1 cut at
// N, through the epilogue: + bias[n], activation, * gamma[n], + R[m, n]; C and R have row
// stride ldc. The epilogue is the HAS_* and ACT build options (absent: off), or with
// PANEL_EPI_RUNTIME the argument epi.
#if PANEL_EPI_RUNTIME
EDGECL_INLINE void panel_store(floatV acc[PANEL_RM][PANEL_NB], int m0, int M, int n0, int N, int ldc,
                        __global const DATA_T* bias, __global const DATA_T* gamma, __global const DATA_T* R,
                        __global DATA_T* C, const int epi) {
    const int rows = min(PANEL_RM, M - m0);
    const int act = epi & PANEL_EPI_ACT;
    const bool has_bias = (epi & PANEL_EPI_BIAS) != 0, has_gamma = (epi & PANEL_EPI_GAMMA) != 0;
    const bool has_residual = (epi & PANEL_EPI_RESIDUAL) != 0;
    floatV gv[PANEL_NB];
    floatV t[PANEL_RM * PANEL_NB]; // indexed in the rolled loop: in private memory, not registers
    _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) {
        const int n = n0 + v * PANEL_VW;
        const int cols = min(PANEL_VW, N - n);
        const bool full = cols == PANEL_VW;
        const floatV bv = !has_bias || cols <= 0 ? (floatV)(0.0f) : full ? LDN(PANEL_VW, bias, n) : panel_load_part(bias, n, cols);
        gv[v] = !has_gamma || cols <= 0 ? (floatV)(1.0f) : full ? LDN(PANEL_VW, gamma, n) : panel_load_part(gamma, n, cols);
        _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) t[i * PANEL_NB + v] = acc[i][v] + bv;
    }
    _Pragma("unroll 1") for (int i = 0; i < rows; i++) {
        _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) {
            const int n = n0 + v * PANEL_VW;
            const int cols = min(PANEL_VW, N - n);
            if (cols <= 0) continue;
            const int o = (m0 + i) * ldc + n;
            floatV x = edgecl_actn(PANEL_VW, t[i * PANEL_NB + v], act);
            if (has_gamma) x *= gv[v];
            if (cols == PANEL_VW) {
                if (has_residual) x += LDN(PANEL_VW, R, o);
                STN(PANEL_VW, C, o, x);
            } else {
                if (has_residual) x += panel_load_part(R, o, cols);
                panel_store_part(C, o, cols, x);
            }
        }
    }
}
#else
EDGECL_INLINE void panel_store(floatV acc[PANEL_RM][PANEL_NB], int m0, int M, int n0, int N, int ldc,
                        __global const DATA_T* bias, __global const DATA_T* gamma, __global const DATA_T* R,
                        __global DATA_T* C, const int epi) {
    const int rows = min(PANEL_RM, M - m0);
    _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) {
        const int n = n0 + v * PANEL_VW;
        const int cols = min(PANEL_VW, N - n);
        const bool full = cols == PANEL_VW;
#if defined(HAS_BIAS) && HAS_BIAS
        const floatV bv = full ? LDN(PANEL_VW, bias, n) : panel_load_part(bias, n, cols);
#endif
#if defined(HAS_GAMMA) && HAS_GAMMA
        const floatV gv = full ? LDN(PANEL_VW, gamma, n) : panel_load_part(gamma, n, cols);
#endif
        _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
            if (i < rows && cols > 0) {
                const int o = (m0 + i) * ldc + n;
                floatV x = acc[i][v];
#if defined(HAS_BIAS) && HAS_BIAS
                x += bv;
#endif
#if defined(ACT)
                x = edgecl_actn(PANEL_VW, x, ACT);
#endif
#if defined(HAS_GAMMA) && HAS_GAMMA
                x *= gv;
#endif
                if (full) {
#if defined(HAS_RESIDUAL) && HAS_RESIDUAL
                    x += LDN(PANEL_VW, R, o);
#endif
                    STN(PANEL_VW, C, o, x);
                } else {
#if defined(HAS_RESIDUAL) && HAS_RESIDUAL
                    x += panel_load_part(R, o, cols);
#endif
                    panel_store_part(C, o, cols, x);
                }
            }
        }
    }
}
#endif

#endif // EDGECL_PANEL_H_CL
