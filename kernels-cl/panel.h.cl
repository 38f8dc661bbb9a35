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
// read (one broadcast) feeds PANEL_NB vector FMAs.
//
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

#define PANEL_CAT_(a, b) a##b
#define PANEL_CAT(a, b) PANEL_CAT_(a, b)
#define floatV PANEL_CAT(float, PANEL_VW)
#if EDGECL_PRECISION == 0
#define PANEL_LDV(p, i) PANEL_CAT(vload, PANEL_VW)(0, (p) + (i))
#else
#define PANEL_LDV(p, i) PANEL_CAT(vload_half, PANEL_VW)(0, (p) + (i))
#endif

// acc[i][v] += a_i * b_v for one k, with a_i from A_ROW(i) (a macro the kernel defines) and the
// B vectors already loaded into b[].
#if PANEL_NB == 1
#define PANEL_FMA_ROW(i, a) acc[i][0] = fma((floatV)(a), b[0], acc[i][0])
#else
#define PANEL_FMA_ROW(i, a) \
    _Pragma("unroll") for (int v_ = 0; v_ < PANEL_NB; v_++) acc[i][v_] = fma((floatV)(a), b[v_], acc[i][v_])
#endif

inline void panel_load_b(__global const DATA_T* bp, floatV* b) {
    _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) b[v] = PANEL_LDV(bp, v * PANEL_VW);
}

// One row's accumulators as PANEL_W floats, for the per-column epilogue.
inline void panel_row_floats(const floatV* row, float* r) {
    _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) PANEL_CAT(vstore, PANEL_VW)(row[v], 0, r + v * PANEL_VW);
}
