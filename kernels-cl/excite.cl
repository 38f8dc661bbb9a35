// Squeeze-excite's gate in one launch: the mean over the pixels, the reducing 1x1 conv (+ bias,
// activation) and the expanding one (+ bias, gate activation), for the gated GEMM that follows
// (gemm.cl's HAS_GATE) to apply.
//
//   s[c]    = mean_p X[n, p, c]   (or the sum of partial sums over HW, SE_PARTS)
//   h[j]    = act1(sum_c s[c] * W1[c, j] + b1[j])
//   gate[c] = act2(sum_j h[j] * W2[j, c] + b2[c])
//
// One work-group per image; its work-items split the channels of each step, with the pooled
// vector and the hidden one in local memory between them. On CPU runtimes the host makes the
// group one work-item: the vector loops then run as they are, with no barrier to emulate.
//
// Layouts: X is NHWC [N, HW, C]; W1 [C, Cr], b1 [Cr], W2 [Cr, C] and b2 [C] as the 1x1 convs'
// weights are laid out for the GEMMs (no copy of their own); gate is [N, C]. Crp and Cp are Cr
// and C rounded up to SE_VW: the vectors of a row past its end are read lane by lane.
// Global size: (N * group), local size (group); local arguments: pooled (Cp floats), hidden (Crp).
// inv is 1 / HW.
// The activations are arguments (ACT_* codes of common.h.cl): one program serves every block.

#include "common.h.cl"

// Tunable (set by -D from the host; this is the default):
#ifndef SE_VW
#define SE_VW 16 // channels per vector: the device's preferred float vector width
#endif

// SE_PARTS 1: X holds float partial sums [N, rows, C] of a pool launch before this one (a large
// map, pooled on every compute unit) instead of the activations [N, rows = HW, C].
#ifndef SE_PARTS
#define SE_PARTS 0
#endif
#if SE_PARTS
#define SE_IN_T float
#define SE_LD(p, i) ((p)[(i)])
#define SE_LDN(p, i) EDGECL_CAT(vload, SE_VW)(0, (p) + (i))
#else
#define SE_IN_T DATA_T
#define SE_LD(p, i) LD(p, i)
#define SE_LDN(p, i) LDN(SE_VW, p, i)
#endif
#ifndef SE_NV
#define SE_NV 4 // output vectors per step of the two products
#endif

#define sevec FLOATN(SE_VW)

// Lanes j < n of p[i ..] (past them: zero), as one vector.
EDGECL_INLINE sevec se_part(__global const DATA_T* p, int i, int n) {
    float t[SE_VW];
    _Pragma("unroll") for (int j = 0; j < SE_VW; j++) t[j] = j < n ? LD(p, i + j) : 0.0f;
    return EDGECL_CAT(vload, SE_VW)(0, t);
}

__kernel void se_excite(__global const SE_IN_T* X, __global const DATA_T* W1, __global const DATA_T* b1,
                        __global const DATA_T* W2, __global const DATA_T* b2, __global DATA_T* gate, int rows, float inv,
                        int C, int Cr, int Crp, int Cp, int act1, int act2, __local float* pooled,
                        __local float* hidden) {
    const int n = get_group_id(0);
    const int lid = get_local_id(0), group = get_local_size(0);
    __global const SE_IN_T* x = X + (size_t)n * rows * C;

    // the mean of each channel (zero past C)
    for (int v = lid; v < Cp / SE_VW; v += group) {
        const int c0 = v * SE_VW;
        if (c0 + SE_VW <= C) {
            sevec s = (sevec)(0.0f);
            for (int p = 0; p < rows; p++) s += SE_LDN(x, (size_t)p * C + c0);
            EDGECL_CAT(vstore, SE_VW)(s * inv, 0, pooled + c0);
        } else {
            for (int c = c0; c < c0 + SE_VW; c++) {
                float s = 0.0f;
                if (c < C)
                    for (int p = 0; p < rows; p++) s += SE_LD(x, (size_t)p * C + c);
                pooled[c] = s * inv;
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // the reducing conv: SE_NV output vectors at a time, so that each step reads a contiguous
    // run of W1's row and the accumulators form independent FMA chains
    for (int v = lid * SE_NV; v < Crp / SE_VW; v += group * SE_NV) {
        const int j0 = v * SE_VW, nv = min(SE_NV, Crp / SE_VW - v);
        sevec h[SE_NV];
        _Pragma("unroll") for (int u = 0; u < SE_NV; u++) h[u] = u < nv ? se_part(b1, j0 + u * SE_VW, Cr - j0 - u * SE_VW) : (sevec)(0.0f);
        if (nv == SE_NV && j0 + SE_NV * SE_VW <= Cr) {
            for (int c = 0; c < C; c++) {
                const sevec pc = (sevec)(pooled[c]);
                _Pragma("unroll") for (int u = 0; u < SE_NV; u++) h[u] = fma(pc, LDN(SE_VW, W1, c * Cr + j0 + u * SE_VW), h[u]);
            }
        } else {
            // the row's last vectors, the very last of them part of one
            for (int c = 0; c < C; c++) {
                const sevec pc = (sevec)(pooled[c]);
                for (int u = 0; u < nv; u++) {
                    const int j = j0 + u * SE_VW;
                    h[u] = fma(pc, j + SE_VW <= Cr ? LDN(SE_VW, W1, c * Cr + j) : se_part(W1, c * Cr + j, Cr - j), h[u]);
                }
            }
        }
        for (int u = 0; u < nv; u++) EDGECL_CAT(vstore, SE_VW)(edgecl_actn(SE_VW, h[u], act1), 0, hidden + j0 + u * SE_VW);
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // the expanding conv and the gate, likewise (hidden past Cr is not read)
    for (int v = lid * SE_NV; v < Cp / SE_VW; v += group * SE_NV) {
        const int c0 = v * SE_VW, nv = min(SE_NV, Cp / SE_VW - v);
        sevec g[SE_NV];
        _Pragma("unroll") for (int u = 0; u < SE_NV; u++) g[u] = u < nv ? se_part(b2, c0 + u * SE_VW, C - c0 - u * SE_VW) : (sevec)(0.0f);
        if (nv == SE_NV && c0 + SE_NV * SE_VW <= C) {
            for (int j = 0; j < Cr; j++) {
                const sevec hj = (sevec)(hidden[j]);
                _Pragma("unroll") for (int u = 0; u < SE_NV; u++) g[u] = fma(hj, LDN(SE_VW, W2, j * C + c0 + u * SE_VW), g[u]);
            }
        } else {
            for (int j = 0; j < Cr; j++) {
                const sevec hj = (sevec)(hidden[j]);
                for (int u = 0; u < nv; u++) {
                    const int c = c0 + u * SE_VW;
                    g[u] = fma(hj, c + SE_VW <= C ? LDN(SE_VW, W2, j * C + c) : se_part(W2, j * C + c, C - c), g[u]);
                }
            }
        }
        for (int u = 0; u < nv; u++) {
            const int cu = c0 + u * SE_VW;
            const sevec gu = edgecl_actn(SE_VW, g[u], act2);
            if (cu + SE_VW <= C) {
                STN(SE_VW, gate, n * C + cu, gu);
            } else {
                float t[SE_VW];
                EDGECL_CAT(vstore, SE_VW)(gu, 0, t);
                for (int c = cu; c < C; c++) ST(gate, n * C + c, t[c - cu]);
            }
        }
    }
}
