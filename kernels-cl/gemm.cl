// Tiled GEMM with a fused epilogue: the 1x1 convolutions and Linear layers of every network.
//
//   C[m, n] = epilogue( sum_k A[m, k] * B[k, n] )
//   epilogue: + bias[n] (HAS_BIAS), activation ACT, * gamma[n] (HAS_GAMMA, layer scale),
//             + R[m, n] (HAS_RESIDUAL)
//   prologue: A[m, k] * gate[m / gate_rows, k] (HAS_GATE, a squeeze-excite scale)
//
// A is an NHWC activation viewed as [M = N*H*W, K = Cin] with row stride lda; B is the weight
// re-laid out at load time as [K, N]; C and R are [M, N] with row stride ldc (so a GEMM can
// write a channel slice of a wider tensor). Any M, N, K: tiles are zero-filled at the edges.
//
// Work-group: (GEMM_TN / GEMM_WN, GEMM_TM / GEMM_WM); each work-item computes a
// GEMM_WM x GEMM_WN block of C from GEMM_TK-deep slices of A and B staged in local memory.

#include "common.h.cl"
#include "panel.h.cl" // the panel variant's micro-kernel

#ifndef GEMM_TM
#define GEMM_TM 32
#endif
#ifndef GEMM_TN
#define GEMM_TN 32
#endif
#ifndef GEMM_TK
#define GEMM_TK 16
#endif
#ifndef GEMM_WM
#define GEMM_WM 4
#endif
#ifndef GEMM_WN
#define GEMM_WN 4
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef ACT
#define ACT ACT_NONE
#endif
#ifndef HAS_GAMMA
#define HAS_GAMMA 0
#endif
#ifndef HAS_RESIDUAL
#define HAS_RESIDUAL 0
#endif
#ifndef HAS_GATE
#define HAS_GATE 0
#endif

// A squeeze-excite gate scales A's columns per image as A is read: row m belongs to image
// m / gate_rows, and gate is [images, K].
#if HAS_GATE
#define LDA(A, m, k) (LD(A, (m) * lda + (k)) * LD(gate, ((m) / gate_rows) * K + (k)))
#else
#define LDA(A, m, k) LD(A, (m) * lda + (k))
#endif

// The epilogue every variant applies to one output element.
inline void gemm_store(float v, int m, int n, int ldc, __global const DATA_T* bias, __global const DATA_T* gamma,
                       __global const DATA_T* R, __global DATA_T* C) {
#if HAS_BIAS
    v += LD(bias, n);
#endif
    v = edgecl_act(v, ACT);
#if HAS_GAMMA
    v *= LD(gamma, n);
#endif
#if HAS_RESIDUAL
    v += LD(R, m * ldc + n);
#endif
    ST(C, m * ldc + n, v);
}

#define GEMM_LX (GEMM_TN / GEMM_WN)
#define GEMM_LY (GEMM_TM / GEMM_WM)
#define GEMM_THREADS (GEMM_LX * GEMM_LY)

__kernel __attribute__((reqd_work_group_size(GEMM_LX, GEMM_LY, 1)))
void gemm(__global const DATA_T* A, __global const DATA_T* B, __global const DATA_T* bias,
          __global const DATA_T* gamma, __global const DATA_T* R, __global DATA_T* C,
          int M, int N, int K, int lda, int ldc, __global const DATA_T* gate, int gate_rows) {
    __local float As[GEMM_TK][GEMM_TM];
    __local float Bs[GEMM_TK][GEMM_TN + 1];

    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int tid = ly * GEMM_LX + lx;
    const int m0 = get_group_id(1) * GEMM_TM;
    const int n0 = get_group_id(0) * GEMM_TN;

    float acc[GEMM_WM][GEMM_WN];
    for (int i = 0; i < GEMM_WM; i++)
        for (int j = 0; j < GEMM_WN; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += GEMM_TK) {
        for (int e = tid; e < GEMM_TK * GEMM_TM; e += GEMM_THREADS) {
            int kk = e % GEMM_TK;
            int mm = e / GEMM_TK;
            int gm = m0 + mm, gk = k0 + kk;
            As[kk][mm] = (gm < M && gk < K) ? LDA(A, gm, gk) : 0.0f;
        }
        for (int e = tid; e < GEMM_TK * GEMM_TN; e += GEMM_THREADS) {
            int nn = e % GEMM_TN;
            int kk = e / GEMM_TN;
            int gn = n0 + nn, gk = k0 + kk;
            Bs[kk][nn] = (gn < N && gk < K) ? LD(B, gk * N + gn) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < GEMM_TK; kk++) {
            float a[GEMM_WM], b[GEMM_WN];
            for (int i = 0; i < GEMM_WM; i++) a[i] = As[kk][ly + i * GEMM_LY];
            for (int j = 0; j < GEMM_WN; j++) b[j] = Bs[kk][lx + j * GEMM_LX];
            for (int i = 0; i < GEMM_WM; i++)
                for (int j = 0; j < GEMM_WN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < GEMM_WM; i++) {
        int m = m0 + ly + i * GEMM_LY;
        if (m >= M) continue;
        for (int j = 0; j < GEMM_WN; j++) {
            int n = n0 + lx + j * GEMM_LX;
            if (n >= N) continue;
            gemm_store(acc[i][j], m, n, ldc, bias, gamma, R, C);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Register-only variant for CPU devices (PoCL and other CPU runtimes), where local memory and
// barriers cost more than they save: each work-item computes GEMMV_RM consecutive rows of one
// output column, so consecutive work-items read consecutive B elements and the compiler can
// vectorise across them. Same arguments and epilogue as gemm.
// Global size: (N, ceil(M / GEMMV_RM)).

#ifndef GEMMV_RM
#define GEMMV_RM 4
#endif

__kernel void gemm_rows(__global const DATA_T* A, __global const DATA_T* B, __global const DATA_T* bias,
                        __global const DATA_T* gamma, __global const DATA_T* R, __global DATA_T* C,
                        int M, int N, int K, int lda, int ldc, __global const DATA_T* gate, int gate_rows) {
    const int n = get_global_id(0);
    const int m0 = get_global_id(1) * GEMMV_RM;
    if (n >= N || m0 >= M) return;
    float acc[GEMMV_RM];
    for (int i = 0; i < GEMMV_RM; i++) acc[i] = 0.0f;
    if (m0 + GEMMV_RM <= M) {
        for (int k = 0; k < K; k++) {
            const float b = LD(B, k * N + n);
            for (int i = 0; i < GEMMV_RM; i++) acc[i] = fma(LDA(A, m0 + i, k), b, acc[i]);
        }
    } else {
        for (int k = 0; k < K; k++) {
            const float b = LD(B, k * N + n);
            for (int i = 0; i < GEMMV_RM; i++) {
                if (m0 + i < M) acc[i] = fma(LDA(A, m0 + i, k), b, acc[i]);
            }
        }
    }
    for (int i = 0; i < GEMMV_RM; i++) {
        const int m = m0 + i;
        if (m >= M) break;
        gemm_store(acc[i], m, n, ldc, bias, gamma, R, C);
    }
}

// ---------------------------------------------------------------------------------------------
// Register-blocked variant for CPU devices: each work-item computes a GEMMB_RM x 4 block of C
// (4 consecutive columns read with vload4), so every loaded A element feeds 4 FMAs and every
// loaded B vector GEMMB_RM. Columns past N take the scalar path. Same arguments as gemm.
// Global size: (ceil(N / 4), ceil(M / GEMMB_RM)).

#ifndef GEMMB_RM
#define GEMMB_RM 4
#endif

inline float4 gemm_epilogue4(float4 v, int m, int n, int ldc, __global const DATA_T* bias,
                             __global const DATA_T* gamma, __global const DATA_T* R) {
#if HAS_BIAS
    v += LD4(bias, n);
#endif
    v = edgecl_act4(v, ACT);
#if HAS_GAMMA
    v *= LD4(gamma, n);
#endif
#if HAS_RESIDUAL
    v += LD4(R, m * ldc + n);
#endif
    return v;
}

__kernel void gemm_block(__global const DATA_T* A, __global const DATA_T* B, __global const DATA_T* bias,
                         __global const DATA_T* gamma, __global const DATA_T* R, __global DATA_T* C,
                         int M, int N, int K, int lda, int ldc, __global const DATA_T* gate, int gate_rows) {
    const int n0 = get_global_id(0) * 4;
    const int m0 = get_global_id(1) * GEMMB_RM;
    if (n0 >= N || m0 >= M) return;
    const int rows = min(GEMMB_RM, M - m0);
    const int cols = min(4, N - n0);
    float4 acc[GEMMB_RM];
    for (int i = 0; i < GEMMB_RM; i++) acc[i] = (float4)(0.0f);
#if EDGECL_PRECISION == 0
    if (cols == 4 && rows == GEMMB_RM) {
        for (int k = 0; k < K; k++) {
            const float4 b = vload4(0, B + k * N + n0);
            for (int i = 0; i < GEMMB_RM; i++) acc[i] = fma((float4)(LDA(A, m0 + i, k)), b, acc[i]);
        }
    } else
#endif
    {
        for (int k = 0; k < K; k++) {
            float bb[4];
            for (int j = 0; j < 4; j++) bb[j] = j < cols ? LD(B, k * N + n0 + j) : 0.0f;
            const float4 b = (float4)(bb[0], bb[1], bb[2], bb[3]);
            for (int i = 0; i < rows; i++) acc[i] = fma((float4)(LDA(A, m0 + i, k)), b, acc[i]);
        }
    }
    for (int i = 0; i < rows; i++) {
        const int m = m0 + i;
        if (cols == 4) {
            ST4(C, m * ldc + n0, gemm_epilogue4(acc[i], m, n0, ldc, bias, gamma, R));
        } else {
            const float r[4] = {acc[i].x, acc[i].y, acc[i].z, acc[i].w};
            for (int j = 0; j < cols; j++) gemm_store(r[j], m, n0 + j, ldc, bias, gamma, R, C);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The same register blocking with 8 columns per work-item, kept as two float4 halves (one A
// element feeds eight lanes; wide SIMD units map the pair onto one register). Columns past N
// take the scalar path. Global size: (ceil(N / 8), ceil(M / GEMMB_RM)).
__kernel void gemm_block8(__global const DATA_T* A, __global const DATA_T* B, __global const DATA_T* bias,
                          __global const DATA_T* gamma, __global const DATA_T* R, __global DATA_T* C,
                          int M, int N, int K, int lda, int ldc, __global const DATA_T* gate, int gate_rows) {
    const int n0 = get_global_id(0) * 8;
    const int m0 = get_global_id(1) * GEMMB_RM;
    if (n0 >= N || m0 >= M) return;
    const int rows = min(GEMMB_RM, M - m0);
    const int cols = min(8, N - n0);
    float4 lo[GEMMB_RM], hi[GEMMB_RM];
    for (int i = 0; i < GEMMB_RM; i++) {
        lo[i] = (float4)(0.0f);
        hi[i] = (float4)(0.0f);
    }
    if (cols == 8 && rows == GEMMB_RM) {
        for (int k = 0; k < K; k++) {
            const float4 bl = LD4(B, k * N + n0), bh = LD4(B, k * N + n0 + 4);
            for (int i = 0; i < GEMMB_RM; i++) {
                const float4 a = (float4)(LDA(A, m0 + i, k));
                lo[i] = fma(a, bl, lo[i]);
                hi[i] = fma(a, bh, hi[i]);
            }
        }
    } else {
        for (int k = 0; k < K; k++) {
            float bb[8];
            for (int j = 0; j < 8; j++) bb[j] = j < cols ? LD(B, k * N + n0 + j) : 0.0f;
            const float4 bl = (float4)(bb[0], bb[1], bb[2], bb[3]), bh = (float4)(bb[4], bb[5], bb[6], bb[7]);
            for (int i = 0; i < rows; i++) {
                const float4 a = (float4)(LDA(A, m0 + i, k));
                lo[i] = fma(a, bl, lo[i]);
                hi[i] = fma(a, bh, hi[i]);
            }
        }
    }
    for (int i = 0; i < rows; i++) {
        const int m = m0 + i;
        if (cols == 8) {
            const float4 vl = gemm_epilogue4(lo[i], m, n0, ldc, bias, gamma, R);
            const float4 vh = gemm_epilogue4(hi[i], m, n0 + 4, ldc, bias, gamma, R);
            ST4(C, m * ldc + n0, vl);
            ST4(C, m * ldc + n0 + 4, vh);
        } else {
            const float r[8] = {lo[i].x, lo[i].y, lo[i].z, lo[i].w, hi[i].x, hi[i].y, hi[i].z, hi[i].w};
            for (int j = 0; j < cols; j++) gemm_store(r[j], m, n0 + j, ldc, bias, gamma, R, C);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Panel variant (panel.h.cl): PANEL_RM rows x PANEL_W columns per work-item in explicit wide
// vectors, B packed into zero-padded panels at load time (see panel.h.cl for the layout). Rows
// past M read row M-1 (so the inner loop has no edge test) and are not stored. The
// squeeze-excite gate, when all of a work-item's rows belong to one image, scales the B vectors
// once per k instead of every A value. Global size: (ceil(N / PANEL_W), ceil(M / PANEL_RM)).
__kernel void gemm_panel(__global const DATA_T* A, __global const DATA_T* Bp, __global const DATA_T* bias,
                         __global const DATA_T* gamma, __global const DATA_T* R, __global DATA_T* C,
                         int M, int N, int K, int lda, int ldc, __global const DATA_T* gate, int gate_rows,
                         int epi, int rows_inner) {
    // rows_inner: the global size is (row tiles, panels), so that a CPU runtime's work-group
    // (a loop over its items, the first dimension innermost) keeps one B panel while it walks
    // down the rows
    const int g0 = get_global_id(0), g1 = get_global_id(1);
    const int p = rows_inner ? g1 : g0;
    const int m0 = (rows_inner ? g0 : g1) * PANEL_RM;
    if (p * PANEL_W >= N || m0 >= M) return;
    __global const DATA_T* a[PANEL_RM];
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) a[i] = A + min(m0 + i, M - 1) * lda;
    __global const DATA_T* bp = Bp + (size_t)p * K * PANEL_W;
    floatV acc[PANEL_RM][PANEL_NB];
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++)
        _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) acc[i][v] = (floatV)(0.0f);
    floatV b[PANEL_NB];
    // the gate: a build option, or with the epilogue an argument (gate_rows 0: none)
#if PANEL_EPI_RUNTIME
    const bool gated = gate_rows > 0;
#else
    const bool gated = HAS_GATE;
#endif
    const int img = gated ? m0 / gate_rows : 0;
    if (!gated) {
        int k = 0;
#if PANEL_RM == 1
        // one row (a GEMV: a classifier, a pooled head): four chains of FMAs, else each FMA waits
        // for the one before, over the four quarters of k: four streams through the weights, which
        // the prefetchers run ahead of at once (MobileNetV3's head and classifier, 4.8 and 5 MB,
        // took 0.88 and 0.92 of the time of four chains over consecutive k on a Zen 3)
        floatV acc1[PANEL_NB], acc2[PANEL_NB], acc3[PANEL_NB], b1[PANEL_NB], b2[PANEL_NB], b3[PANEL_NB];
        _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) acc1[v] = acc2[v] = acc3[v] = (floatV)(0.0f);
        const int q = K / 4;
        for (; k < q; k++) {
            panel_load_b(bp + k * PANEL_W, b);
            panel_load_b(bp + (k + q) * PANEL_W, b1);
            panel_load_b(bp + (k + 2 * q) * PANEL_W, b2);
            panel_load_b(bp + (k + 3 * q) * PANEL_W, b3);
            const float a0 = LD(a[0], k), a1 = LD(a[0], k + q), a2 = LD(a[0], k + 2 * q), a3 = LD(a[0], k + 3 * q);
            _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) {
                acc[0][v] = fma((floatV)(a0), b[v], acc[0][v]);
                acc1[v] = fma((floatV)(a1), b1[v], acc1[v]);
                acc2[v] = fma((floatV)(a2), b2[v], acc2[v]);
                acc3[v] = fma((floatV)(a3), b3[v], acc3[v]);
            }
        }
        k = 4 * q;
        _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) acc[0][v] += (acc1[v] + acc2[v]) + acc3[v];
#endif
        for (; k < K; k++) {
            panel_load_b(bp + k * PANEL_W, b);
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) PANEL_FMA_ROW(i, LD(a[i], k));
        }
    } else if (img == (min(m0 + PANEL_RM, M) - 1) / gate_rows) {
        __global const DATA_T* g = gate + img * K;
        for (int k = 0; k < K; k++) {
            panel_load_b(bp + k * PANEL_W, b);
            const float gk = LD(g, k);
            _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) b[v] *= gk;
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) PANEL_FMA_ROW(i, LD(a[i], k));
        }
    } else {
        // rows of two images: the gate per row
        for (int k = 0; k < K; k++) {
            panel_load_b(bp + k * PANEL_W, b);
            _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) {
                PANEL_FMA_ROW(i, LD(a[i], k) * LD(gate, (min(m0 + i, M - 1) / gate_rows) * K + k));
            }
        }
    }
    panel_store(acc, m0, M, p * PANEL_W, N, ldc, bias, gamma, R, C, epi);
}
