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
// se_reduce and se_expand, at the end of this file, are the same gate in two launches that
// spread a wide gate's weights over every core of a CPU runtime.

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
// SE_STREAM 1: the two products read the weights row by row, front to back, and add into the
// hidden and gate vectors in local memory (the pooled vector's buffer, no longer needed, takes
// the gate's sums): one sequential stream of each weight matrix, where SE_NV vectors at a time
// read it in strided runs a few lines long. For CPU runtimes, where a group is one work-item on
// one core and the weights come from memory: the stride left the core waiting on each run
// (MobileNetV3's 672 x 168 gate read its 0.9 MB at 6 GB/s on a Zen 3).
#ifndef SE_STREAM
#define SE_STREAM 0
#endif

#define sevec FLOATN(SE_VW)

// Lanes j < n of p[i ..] (past them: zero), as one vector.
EDGECL_INLINE sevec se_part(__global const DATA_T* p, int i, int n) {
    float t[SE_VW];
    _Pragma("unroll") for (int j = 0; j < SE_VW; j++) t[j] = j < n ? LD(p, i + j) : 0.0f;
    return EDGECL_CAT(vload, SE_VW)(0, t);
}

// gate[row + c0 + u] = g[u] for the lanes below end: a whole vector, or a ragged last one
// lane by lane.
EDGECL_INLINE void se_store(__global DATA_T* gate, int row, int c0, int end, sevec g) {
    if (c0 + SE_VW <= end) {
        STN(SE_VW, gate, row + c0, g);
    } else {
        float t[SE_VW];
        EDGECL_CAT(vstore, SE_VW)(g, 0, t);
        for (int c = c0; c < end; c++) ST(gate, row + c, t[c - c0]);
    }
}

// acc[0 .. width) += sum_{r < rows} coef[r] * W[r, 0 .. width) for W [rows, width]: the rows
// front to back, one sequential stream of W; a row's whole vectors go to the work-items in
// turn, its ragged end (width past a multiple of SE_VW) to work-item 0.
EDGECL_INLINE void se_add_rows(__local const float* coef, int rows, __global const DATA_T* W, int width,
                               __local float* acc, int lid, int group) {
    const int wv = width / SE_VW;
    for (int r = 0; r < rows; r++) {
        const float p = coef[r];
        __global const DATA_T* w = W + (size_t)r * width;
        for (int v = lid; v < wv; v += group) {
            __local float* a = acc + v * SE_VW;
            EDGECL_CAT(vstore, SE_VW)(fma((sevec)(p), LDN(SE_VW, w, v * SE_VW), EDGECL_CAT(vload, SE_VW)(0, a)), 0, a);
        }
        if (lid == 0)
            for (int j = wv * SE_VW; j < width; j++) acc[j] = fma(p, LD(w, j), acc[j]);
    }
}

// acc[0 .. widthp) = b (zeros past width), then se_add_rows: a dense layer without its
// activation, for every work-item of the group to call.
EDGECL_INLINE void se_dense(__local const float* coef, int rows, __global const DATA_T* W, __global const DATA_T* b,
                            int width, int widthp, __local float* acc, int lid, int group) {
    for (int v = lid; v < widthp / SE_VW; v += group) {
        const int j0 = v * SE_VW;
        EDGECL_CAT(vstore, SE_VW)(j0 + SE_VW <= width ? LDN(SE_VW, b, j0) : se_part(b, j0, width - j0), 0, acc + j0);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    se_add_rows(coef, rows, W, width, acc, lid, group);
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

#if SE_STREAM
    // hidden = act1(b1 + sum_c pooled[c] * W1[c, :])
    se_dense(pooled, C, W1, b1, Cr, Crp, hidden, lid, group);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int v = lid; v < Crp / SE_VW; v += group) {
        __local float* h = hidden + v * SE_VW;
        EDGECL_CAT(vstore, SE_VW)(edgecl_actn(SE_VW, EDGECL_CAT(vload, SE_VW)(0, h), act1), 0, h);
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // gate = act2(b2 + sum_j hidden[j] * W2[j, :]), summed in pooled's buffer
    se_dense(hidden, Cr, W2, b2, C, Cp, pooled, lid, group);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int v = lid; v < Cp / SE_VW; v += group) {
        const int c0 = v * SE_VW;
        se_store(gate, n * C, c0, C, edgecl_actn(SE_VW, EDGECL_CAT(vload, SE_VW)(0, pooled + c0), act2));
    }
#else
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
            se_store(gate, n * C, c0 + u * SE_VW, C, edgecl_actn(SE_VW, g[u], act2));
        }
    }
#endif
}

// ---------------------------------------------------------------------------------------------
// The gate in two launches over every core, for CPU runtimes at small batches: se_excite runs
// one work-group per image, on one core, and a wide gate's weights (MobileNetV3's 672 x 168: 0.9
// MB) then stream through that core alone while the others wait. Here `groups` work-groups per
// image (one work-item each) share them, each reading one contiguous block of each matrix:
//
//   se_reduce  group g: the means of its channels [c0, c1) and their rows of W1:
//              hpart[n, g, :] = sum_{c in [c0, c1)} mean_c * W1[c, :]
//   se_expand  group g: hidden = act1(b1 + sum_g' hpart[n, g', :]) (every group adds up the few
//              parts itself), then its channels [c0, c1) of the gate, from W2 transposed
//              (W2t [C, Cr], laid out at load time, so that the block is one run of rows):
//              gate[n, c] = act2(b2[c] + hidden . W2t[c, :])
//
// Channel blocks are `per` channels (a multiple of SE_VW), the last one shorter. se_reduce adds
// its sums into local memory front to back, as SE_STREAM does. Global size: (N * groups), local size 1;
// local arguments: se_reduce pooled (per floats) and acc (Crp), se_expand hidden (Crp) and acc
// (per). hpart is [N, groups, Crp] floats.
__kernel void se_reduce(__global const SE_IN_T* X, __global const DATA_T* W1, __global float* hpart, int rows,
                        float inv, int C, int Cr, int Crp, int groups, int per, __local float* pooled,
                        __local float* acc) {
    const int n = get_global_id(0) / groups, g = get_global_id(0) - n * groups;
    const int c0 = g * per, c1 = min(C, c0 + per);
    __global const SE_IN_T* x = X + (size_t)n * rows * C;
    for (int c = c0; c < c1; c += SE_VW) {
        if (c + SE_VW <= C) {
            sevec s = (sevec)(0.0f);
            for (int p = 0; p < rows; p++) s += SE_LDN(x, (size_t)p * C + c);
            EDGECL_CAT(vstore, SE_VW)(s * inv, 0, pooled + (c - c0));
        } else {
            for (int cc = c; cc < C; cc++) {
                float s = 0.0f;
                for (int p = 0; p < rows; p++) s += SE_LD(x, (size_t)p * C + cc);
                pooled[cc - c0] = s * inv;
            }
        }
    }
    for (int j = 0; j < Crp; j++) acc[j] = 0.0f;
    if (c1 > c0) se_add_rows(pooled, c1 - c0, W1 + (size_t)c0 * Cr, Cr, acc, 0, 1);
    __global float* out = hpart + ((size_t)n * groups + g) * Crp;
    for (int j = 0; j < Cr; j++) out[j] = acc[j];
}

__kernel void se_expand(__global const float* hpart, __global const DATA_T* b1, __global const DATA_T* W2t,
                        __global const DATA_T* b2, __global DATA_T* gate, int C, int Cr, int Crp, int groups, int per,
                        int act1, int act2, __local float* hidden, __local float* acc) {
    const int n = get_global_id(0) / groups, g = get_global_id(0) - n * groups;
    const int c0 = g * per, c1 = min(C, c0 + per);
    for (int j = 0; j < Cr; j++) {
        float h = LD(b1, j);
        for (int q = 0; q < groups; q++) h += hpart[((size_t)n * groups + q) * Crp + j];
        hidden[j] = h;
    }
    // the activation a vector at a time, as se_excite applies it (lanes past Cr are not read)
    for (int j = Cr; j < Crp; j++) hidden[j] = 0.0f;
    for (int v = 0; v < Crp / SE_VW; v++) {
        __local float* h = hidden + v * SE_VW;
        EDGECL_CAT(vstore, SE_VW)(edgecl_actn(SE_VW, EDGECL_CAT(vload, SE_VW)(0, h), act1), 0, h);
    }
    // gate[c] = b2[c] + hidden . W2t[c, :]: the block's rows of W2t, one stream; two chains of
    // vector FMAs per row, added across the lanes at its end
    const int crv = Cr / SE_VW;
    for (int c = c0; c < c1; c++) {
        __global const DATA_T* w = W2t + (size_t)c * Cr;
        sevec s0 = (sevec)(0.0f), s1 = (sevec)(0.0f);
        int v = 0;
        for (; v + 2 <= crv; v += 2) {
            s0 = fma(EDGECL_CAT(vload, SE_VW)(0, hidden + v * SE_VW), LDN(SE_VW, w, v * SE_VW), s0);
            s1 = fma(EDGECL_CAT(vload, SE_VW)(0, hidden + (v + 1) * SE_VW), LDN(SE_VW, w, (v + 1) * SE_VW), s1);
        }
        if (v < crv) s0 = fma(EDGECL_CAT(vload, SE_VW)(0, hidden + v * SE_VW), LDN(SE_VW, w, v * SE_VW), s0);
        float t[SE_VW];
        EDGECL_CAT(vstore, SE_VW)(s0 + s1, 0, t);
        float sum = LD(b2, c);
        _Pragma("unroll") for (int u = 0; u < SE_VW; u++) sum += t[u];
        for (int j = crv * SE_VW; j < Cr; j++) sum = fma(hidden[j], LD(w, j), sum);
        acc[c - c0] = sum;
    }
    for (int c = c0; c < c1; c += SE_VW) {
        float t[SE_VW];
        _Pragma("unroll") for (int u = 0; u < SE_VW; u++) t[u] = c + u < c1 ? acc[c - c0 + u] : 0.0f;
        se_store(gate, n * C, c, c1, edgecl_actn(SE_VW, EDGECL_CAT(vload, SE_VW)(0, t), act2));
    }
}
