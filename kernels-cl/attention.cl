// The attention kernels: channel ("transposed", cross-covariance) attention of EdgeNeXt's SDTA
// block, multi-head self-attention (EdgeViT, MobileViT), multi-query attention (MobileNetV4),
// and a row softmax they share.
//
// qkv is the output of the qkv Linear, [N, T, 3C] (T = H*W tokens); channel s*C + h*D + i is
// component s (q, k, v) of head h, channel i (D = C / heads). Per (n, h):
//   attn[i, j] = <q_i, k_j> / (max(|q_i|, 1e-12) * max(|k_j|, 1e-12)) * temperature[h]
// with q_i, k_j vectors over the T tokens (F.normalize along tokens), softmax over j, then
//   out[n, t, h*D + i] = sum_j attn[i, j] * v_j[t].

#include "common.h.cl"
#include "panel.h.cl" // the channel-attention GEMM's micro-kernel (xca_apply_panel)

// Global size: (D, D, N * heads).
__kernel void xca_scores(__global const DATA_T* qkv, __global const DATA_T* temperature, __global float* attn,
                         int T, int C, int heads) {
    const int i = get_global_id(0);
    const int j = get_global_id(1);
    const int nh = get_global_id(2);
    const int D = C / heads;
    if (i >= D || j >= D) return;
    const int n = nh / heads, h = nh % heads;
    const int qo = h * D + i, ko = C + h * D + j;
    float qk = 0.0f, qq = 0.0f, kk = 0.0f;
    for (int t = 0; t < T; t++) {
        const int base = (n * T + t) * 3 * C;
        float q = LD(qkv, base + qo), k = LD(qkv, base + ko);
        qk = fma(q, k, qk);
        qq = fma(q, q, qq);
        kk = fma(k, k, kk);
    }
    attn[(nh * D + i) * D + j] = qk / (fmax(sqrt(qq), 1e-12f) * fmax(sqrt(kk), 1e-12f)) * LD(temperature, h);
}

// In-place softmax of each row of a [rows, cols] float matrix. Global size: (rows).
__kernel void softmax_rows(__global float* x, int rows, int cols) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    __global float* row = x + r * cols;
    float m = -INFINITY;
    for (int c = 0; c < cols; c++) m = fmax(m, row[c]);
    float s = 0.0f;
    for (int c = 0; c < cols; c++) {
        float e = edgecl_exp_float(row[c] - m);
        row[c] = e;
        s += e;
    }
    const float inv = 1.0f / s;
    for (int c = 0; c < cols; c++) row[c] *= inv;
}

// Global size: (C, T, N).
__kernel void xca_apply(__global const float* attn, __global const DATA_T* qkv, __global DATA_T* out,
                        int T, int C, int heads) {
    const int c = get_global_id(0);
    const int t = get_global_id(1);
    const int n = get_global_id(2);
    if (c >= C || t >= T) return;
    const int D = C / heads;
    const int h = c / D, i = c % D;
    __global const float* a = attn + ((n * heads + h) * D + i) * D;
    const int vb = (n * T + t) * 3 * C + 2 * C + h * D;
    float acc = 0.0f;
    for (int j = 0; j < D; j++) acc = fma(a[j], LD(qkv, vb + j), acc);
    ST(out, (n * T + t) * C + c, acc);
}

// ---------------------------------------------------------------------------------------------
// The whole channel attention of one (image, head) in one work-group: L2 norms of q and k
// along tokens, scores × temperature, softmax, and attention × v. The D×D matrix lives in a
// global scratch (it can exceed local memory: D = 146 for edgenext_base) and is shared across
// the phases through work-group barriers with a global fence.
// Global size: (XCA_WG * N * heads); local size: (XCA_WG). Local argument: norms (2*D floats).

#ifndef XCA_WG
#define XCA_WG 64
#endif

__kernel __attribute__((reqd_work_group_size(XCA_WG, 1, 1)))
void xca_fused(__global const DATA_T* qkv, __global const DATA_T* temperature, __global float* attn,
               __global DATA_T* out, int T, int C, int heads, __local float* norms) {
    const int lid = get_local_id(0);
    const int nh = get_group_id(0);
    const int n = nh / heads, h = nh % heads;
    const int D = C / heads;
    __global float* A = attn + nh * D * D;
    const int C3 = 3 * C;
    for (int r = lid; r < 2 * D; r += XCA_WG) {
        // rows 0..D-1: q channels, D..2D-1: k channels
        const int ch = r < D ? h * D + r : C + h * D + (r - D);
        float ss = 0.0f;
        for (int t = 0; t < T; t++) {
            const float v = LD(qkv, (n * T + t) * C3 + ch);
            ss = fma(v, v, ss);
        }
        norms[r] = fmax(sqrt(ss), 1e-12f);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const float temp = LD(temperature, h);
    for (int e = lid; e < D * D; e += XCA_WG) {
        const int i = e / D, j = e % D;
        const int qo = h * D + i, ko = C + h * D + j;
        float qk = 0.0f;
        for (int t = 0; t < T; t++) {
            const int b = (n * T + t) * C3;
            qk = fma(LD(qkv, b + qo), LD(qkv, b + ko), qk);
        }
        A[e] = qk / (norms[i] * norms[D + j]) * temp;
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    for (int i = lid; i < D; i += XCA_WG) {
        __global float* row = A + i * D;
        float m = -INFINITY;
        for (int j = 0; j < D; j++) m = fmax(m, row[j]);
        float s = 0.0f;
        for (int j = 0; j < D; j++) {
            const float e = edgecl_exp_float(row[j] - m);
            row[j] = e;
            s += e;
        }
        const float inv = 1.0f / s;
        for (int j = 0; j < D; j++) row[j] *= inv;
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    for (int e = lid; e < T * D; e += XCA_WG) {
        const int t = e / D, i = e % D;
        const int vb = (n * T + t) * C3 + 2 * C + h * D;
        __global const float* a = A + i * D;
        float acc = 0.0f;
        for (int j = 0; j < D; j++) acc = fma(a[j], LD(qkv, vb + j), acc);
        ST(out, (n * T + t) * C + h * D + i, acc);
    }
}

// ---------------------------------------------------------------------------------------------
// Multi-head softmax self-attention (MobileViT's transformer, EdgeViT's global sparse
// attention) from a qkv projection [N, H, W, 3C] (channel s*C + h*HEAD_DIM + i) to [N, H, W, C].
// Tokens attend within groups of equal (y mod PH, x mod PW): MobileViT's unfolded patches,
// read in place. One work-item per (query, head) with an online softmax over the keys, so no
// T x T matrix is stored. Dimension 0 runs over the queries of one group, so neighbouring
// work-items walk the same keys in step (uniform loops vectorise on CPU runtimes and read the
// same key on GPUs). HEAD_DIM is a build-time constant (private accumulators).
// Global size: ((H / PH) * (W / PW), PH * PW * heads, N).

#ifndef HEAD_DIM
#define HEAD_DIM 32
#endif

__kernel void mhsa(__global const DATA_T* qkv, __global DATA_T* out, int H, int W, int C, float scale,
                   int PH, int PW) {
    const int g = get_global_id(0);
    const int ph = get_global_id(1);
    const int n = get_global_id(2);
    const int GW = W / PW;
    if (g >= (H / PH) * GW) return;
    const int heads = C / HEAD_DIM;
    const int h = ph % heads, phase = ph / heads;
    const int py = phase / PW, px = phase % PW;
    const int y = py + PH * (g / GW), x = px + PW * (g % GW);
    const int C3 = 3 * C;
    const int qb = ((n * H + y) * W + x) * C3 + h * HEAD_DIM;
    float q[HEAD_DIM], acc[HEAD_DIM];
    for (int i = 0; i < HEAD_DIM; i++) {
        q[i] = LD(qkv, qb + i) * scale;
        acc[i] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    for (int yk = py; yk < H; yk += PH) {
        for (int xk = px; xk < W; xk += PW) {
            const int kb = ((n * H + yk) * W + xk) * C3 + C + h * HEAD_DIM;
            float s = 0.0f;
            for (int i = 0; i < HEAD_DIM; i++) s = fma(q[i], LD(qkv, kb + i), s);
            const float mn = fmax(m, s);
            const float corr = edgecl_exp_float(m - mn), p = edgecl_exp_float(s - mn);
            l = l * corr + p;
            for (int i = 0; i < HEAD_DIM; i++) acc[i] = fma(p, LD(qkv, kb + C + i), acc[i] * corr);
            m = mn;
        }
    }
    const float inv = 1.0f / l;
    const int ob = ((n * H + y) * W + x) * C + h * HEAD_DIM;
    for (int i = 0; i < HEAD_DIM; i++) ST(out, ob + i, acc[i] * inv);
}

// ---------------------------------------------------------------------------------------------
// The same attention for CPU runtimes, in explicit vectors: mhsa_pack first copies each
// (image, patch position, head)'s keys and values transposed, [HEAD_DIM][Tp] with Tp = T rounded
// up to MHSA_KC (padding zero), so that mhsa_kc, one work-item per query, walks the keys
// MHSA_KC at a time: the scores of a chunk as one vector, one softmax rescale per chunk, exp
// over the whole chunk, and per-lane partial sums of p·v reduced once at the end.
// Scratch kv: [N * PH*PW * heads][HEAD_DIM][Tp] keys, then the same for values at kv + v_off.
// mhsa_pack global size: (Tp, HEAD_DIM, N * PH*PW * heads); mhsa_kc: as mhsa.

#ifndef MHSA_KC
#define MHSA_KC 16
#endif
#if MHSA_KC != 16
#error "mhsa_kc is written for 16-key chunks (float16)"
#endif

__kernel void mhsa_pack(__global const DATA_T* qkv, __global float* kv, int H, int W, int C, int PH, int PW,
                        int Tp, int v_off) {
    const int t = get_global_id(0), i = get_global_id(1), b = get_global_id(2);
    const int heads = C / HEAD_DIM, G = PH * PW, GW = W / PW, T = (H / PH) * GW;
    const int n = b / (G * heads), r = b % (G * heads), phase = r / heads, h = r % heads;
    float kk = 0.0f, vv = 0.0f;
    if (t < T) {
        const int y = phase / PW + PH * (t / GW), x = phase % PW + PW * (t % GW);
        const int base = ((n * H + y) * W + x) * 3 * C + h * HEAD_DIM + i;
        kk = LD(qkv, base + C);
        vv = LD(qkv, base + 2 * C);
    }
    const int o = (b * HEAD_DIM + i) * Tp + t;
    kv[o] = kk;
    kv[v_off + o] = vv;
}

__kernel void mhsa_kc(__global const DATA_T* qkv, __global const float* kv, __global DATA_T* out, int H, int W,
                      int C, float scale, int PH, int PW, int Tp, int v_off) {
    const int g = get_global_id(0);
    const int ph = get_global_id(1);
    const int n = get_global_id(2);
    const int GW = W / PW, T = (H / PH) * GW;
    if (g >= T) return;
    const int heads = C / HEAD_DIM;
    const int h = ph % heads, phase = ph / heads;
    const int y = phase / PW + PH * (g / GW), x = phase % PW + PW * (g % GW);
    const int b = (n * PH * PW + phase) * heads + h;
    const int qb = ((n * H + y) * W + x) * 3 * C + h * HEAD_DIM;
    __global const float* K = kv + b * HEAD_DIM * Tp;
    __global const float* V = K + v_off;
    float q[HEAD_DIM];
    float16 acc[HEAD_DIM];
    _Pragma("unroll")
    for (int i = 0; i < HEAD_DIM; i++) {
        q[i] = LD(qkv, qb + i) * scale;
        acc[i] = (float16)(0.0f);
    }
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    float16 lsum = (float16)(0.0f);
    float m = -INFINITY;
    for (int c0 = 0; c0 < Tp; c0 += MHSA_KC) {
        float16 s = (float16)(0.0f);
        _Pragma("unroll")
        for (int i = 0; i < HEAD_DIM; i++) s = fma((float16)(q[i]), vload16(0, K + i * Tp + c0), s);
        s = select(s, (float16)(-INFINITY), lane >= (int16)(T - c0));
        const float mn = fmax(m, edgecl_hmax_float16(s));
        const float corr = edgecl_exp_float(m - mn);
        const float16 p = edgecl_exp_float16(s - (float16)(mn));
        lsum = fma(lsum, (float16)(corr), p);
        _Pragma("unroll")
        for (int i = 0; i < HEAD_DIM; i++) acc[i] = fma(p, vload16(0, V + i * Tp + c0), acc[i] * corr);
        m = mn;
    }
    const float inv = 1.0f / edgecl_hsum_float16(lsum);
    const int ob = ((n * H + y) * W + x) * C + h * HEAD_DIM;
    for (int i = 0; i < HEAD_DIM; i++) ST(out, ob + i, edgecl_hsum_float16(acc[i]) * inv);
}

// ---------------------------------------------------------------------------------------------
// The same attention with several queries per work-item (CPU runtimes): each chunk of 16 keys
// and values is loaded once for MH_QB queries. mhsa_pack_tv stores the keys transposed as for
// mhsa_kc, [b][HEAD_DIM][Tp], and the values token-major, [b][Tp][MH_NV * 16] (zero-padded), so
// that p·v is a broadcast of each key's weight times that key's value row: MH_NV FMAs per key
// and query into accumulators over the head's channels.
// Scratch kv: keys at 0, values at v_off (floats).
// Each softmax step takes MH_KV vectors of 16 keys (Tp is a multiple of 16 * MH_KV).
// mhsa_qb also runs multi-query attention (after mqa_pack_tv): queries q_stride floats apart
// (3C in a qkv tensor, C alone), kv_heads key/value heads per group (heads, or 1 shared by
// all), TK keys per group (T in self-attention).
// mhsa_pack_tv global size: (Tp, N * PH*PW * heads); mhsa_qb: (ceil(T / MH_QB), PH*PW * heads, N).
#ifndef MH_QB
#define MH_QB 4
#endif
#ifndef MH_KV
#define MH_KV 1
#endif
#define MH_NV ((HEAD_DIM + 15) / 16)
#define MH_DP (MH_NV * 16)

__kernel void mhsa_pack_tv(__global const DATA_T* qkv, __global float* kv, int H, int W, int C, int PH, int PW,
                           int Tp, int v_off, int B) {
    const int t = get_global_id(0), b = get_global_id(1);
    if (t >= Tp || b >= B) return;
    const int heads = C / HEAD_DIM, G = PH * PW, GW = W / PW, T = (H / PH) * GW;
    const int n = b / (G * heads), r = b % (G * heads), phase = r / heads, h = r % heads;
    __global float* kt = kv + (size_t)b * HEAD_DIM * Tp + t;
    __global float* vr = kv + v_off + ((size_t)b * Tp + t) * MH_DP;
    if (t < T) {
        const int y = phase / PW + PH * (t / GW), x = phase % PW + PW * (t % GW);
        __global const DATA_T* src = qkv + ((size_t)(n * H + y) * W + x) * 3 * C + h * HEAD_DIM;
        for (int i = 0; i < HEAD_DIM; i++) {
            kt[i * Tp] = LD(src, C + i);
            vr[i] = LD(src, 2 * C + i);
        }
        for (int i = HEAD_DIM; i < MH_DP; i++) vr[i] = 0.0f;
    } else {
        for (int i = 0; i < HEAD_DIM; i++) kt[i * Tp] = 0.0f;
        for (int i = 0; i < MH_DP; i++) vr[i] = 0.0f;
    }
}

__kernel void mhsa_qb(__global const DATA_T* qkv, __global const float* kv, __global DATA_T* out, int H, int W,
                      int C, float scale, int PH, int PW, int Tp, int v_off, int N, int q_stride, int kv_heads,
                      int TK) {
    const int g0 = get_global_id(0) * MH_QB;
    const int ph = get_global_id(1);
    const int n = get_global_id(2);
    const int GW = W / PW, T = (H / PH) * GW;
    const int heads = C / HEAD_DIM;
    if (g0 >= T || ph >= PH * PW * heads || n >= N) return;
    const int h = ph % heads, phase = ph / heads;
    const int b = (n * PH * PW + phase) * kv_heads + h % kv_heads;
    __global const float* K = kv + (size_t)b * HEAD_DIM * Tp;
    __global const float* V = kv + v_off + (size_t)b * Tp * MH_DP;
    int base[MH_QB];
    float q[MH_QB][HEAD_DIM];
    _Pragma("unroll") for (int r = 0; r < MH_QB; r++) {
        const int g = min(g0 + r, T - 1);
        const int y = phase / PW + PH * (g / GW), x = phase % PW + PW * (g % GW);
        base[r] = (n * H + y) * W + x;
        for (int i = 0; i < HEAD_DIM; i++) q[r][i] = LD(qkv, (size_t)base[r] * q_stride + h * HEAD_DIM + i) * scale;
    }
    float16 acc[MH_QB][MH_NV], lsum[MH_QB];
    float m[MH_QB];
    _Pragma("unroll") for (int r = 0; r < MH_QB; r++) {
        m[r] = -INFINITY;
        lsum[r] = (float16)(0.0f);
        _Pragma("unroll") for (int v = 0; v < MH_NV; v++) acc[r][v] = (float16)(0.0f);
    }
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int c0 = 0; c0 < Tp; c0 += 16 * MH_KV) {
        float16 s[MH_QB][MH_KV];
        _Pragma("unroll") for (int r = 0; r < MH_QB; r++)
            _Pragma("unroll") for (int u = 0; u < MH_KV; u++) s[r][u] = (float16)(0.0f);
        for (int i = 0; i < HEAD_DIM; i++) {
            _Pragma("unroll") for (int u = 0; u < MH_KV; u++) {
                const float16 k = vload16(0, K + i * Tp + c0 + 16 * u);
                _Pragma("unroll") for (int r = 0; r < MH_QB; r++) s[r][u] = fma((float16)(q[r][i]), k, s[r][u]);
            }
        }
        float p[MH_QB][16 * MH_KV];
        _Pragma("unroll") for (int r = 0; r < MH_QB; r++) {
            float16 mx = (float16)(-INFINITY);
            _Pragma("unroll") for (int u = 0; u < MH_KV; u++) {
                s[r][u] = select(s[r][u], (float16)(-INFINITY), lane >= (int16)(TK - c0 - 16 * u));
                mx = fmax(mx, s[r][u]);
            }
            const float mn = fmax(m[r], edgecl_hmax_float16(mx));
            const float corr = edgecl_exp_float(m[r] - mn);
            lsum[r] *= corr;
            _Pragma("unroll") for (int v = 0; v < MH_NV; v++) acc[r][v] *= corr;
            _Pragma("unroll") for (int u = 0; u < MH_KV; u++) {
                const float16 e = edgecl_exp_float16(s[r][u] - (float16)(mn));
                lsum[r] += e;
                vstore16(e, 0, p[r] + 16 * u);
            }
            m[r] = mn;
        }
        for (int j = 0; j < 16 * MH_KV; j++) {
            _Pragma("unroll") for (int v = 0; v < MH_NV; v++) {
                const float16 vv = vload16(0, V + (c0 + j) * MH_DP + v * 16);
                _Pragma("unroll") for (int r = 0; r < MH_QB; r++) acc[r][v] = fma((float16)(p[r][j]), vv, acc[r][v]);
            }
        }
    }
    _Pragma("unroll") for (int r = 0; r < MH_QB; r++) {
        if (g0 + r < T) {
            const float inv = 1.0f / edgecl_hsum_float16(lsum[r]);
            float o[MH_DP];
            _Pragma("unroll") for (int v = 0; v < MH_NV; v++) vstore16(acc[r][v] * inv, 0, o + v * 16);
            const int ob = base[r] * C + h * HEAD_DIM;
            for (int i = 0; i < HEAD_DIM; i++) ST(out, ob + i, o[i]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The whole channel attention of one (image, head) in one work-item, for CPU runtimes (which
// emulate work-group barriers): one pass over the tokens accumulates the D x D products q_i·k_j
// and the norms in private float4 rows, the softmax runs in registers, and a second pass writes
// attn · v per token. XCA_D is the head dimension (a build-time constant; XCA_DQ = ceil(D / 4)).
// Global size: (N * heads).

#ifndef XCA_D
#define XCA_D 16
#endif
#define XCA_DQ ((XCA_D + 3) / 4)

inline float4 xca_row4(__global const DATA_T* p, int c) {
    // channels 4c..4c+3 of a head's row, zero past XCA_D
    float4 v = (float4)(0.0f);
    if (4 * c + 0 < XCA_D) v.x = LD(p, 4 * c + 0);
    if (4 * c + 1 < XCA_D) v.y = LD(p, 4 * c + 1);
    if (4 * c + 2 < XCA_D) v.z = LD(p, 4 * c + 2);
    if (4 * c + 3 < XCA_D) v.w = LD(p, 4 * c + 3);
    return v;
}

__kernel void xca_cpu(__global const DATA_T* qkv, __global const DATA_T* temperature, __global DATA_T* out, int T,
                      int C, int heads) {
    const int nh = get_global_id(0);
    const int n = nh / heads, h = nh % heads;
    const int C3 = 3 * C;
    float4 g[XCA_D][XCA_DQ];
    float qn[XCA_D];
    float4 kn[XCA_DQ];
    for (int i = 0; i < XCA_D; i++) {
        qn[i] = 0.0f;
        for (int c = 0; c < XCA_DQ; c++) g[i][c] = (float4)(0.0f);
    }
    for (int c = 0; c < XCA_DQ; c++) kn[c] = (float4)(0.0f);
    for (int t = 0; t < T; t++) {
        __global const DATA_T* row = qkv + (size_t)(n * T + t) * C3 + h * XCA_D;
        float4 k[XCA_DQ];
        for (int c = 0; c < XCA_DQ; c++) {
            k[c] = xca_row4(row + C, c);
            kn[c] = fma(k[c], k[c], kn[c]);
        }
        for (int i = 0; i < XCA_D; i++) {
            const float q = LD(row, i);
            qn[i] = fma(q, q, qn[i]);
            for (int c = 0; c < XCA_DQ; c++) g[i][c] = fma((float4)(q), k[c], g[i][c]);
        }
    }
    // F.normalize: x / max(||x||, 1e-12); scores × temperature, softmax over j
    float4 ikn[XCA_DQ];
    for (int c = 0; c < XCA_DQ; c++) ikn[c] = 1.0f / fmax(sqrt(kn[c]), (float4)(1e-12f));
    const float temp = LD(temperature, h);
    const int4 lane = (int4)(0, 1, 2, 3);
    for (int i = 0; i < XCA_D; i++) {
        const float sq = temp / fmax(sqrt(qn[i]), 1e-12f);
        float4 m4 = (float4)(-INFINITY);
        for (int c = 0; c < XCA_DQ; c++) {
            // lanes past XCA_D take -inf, so exp gives them 0
            g[i][c] = select(g[i][c] * ikn[c] * sq, (float4)(-INFINITY), lane >= (int4)(XCA_D - 4 * c));
            m4 = fmax(m4, g[i][c]);
        }
        const float m = fmax(fmax(m4.x, m4.y), fmax(m4.z, m4.w));
        float4 s4 = (float4)(0.0f);
        for (int c = 0; c < XCA_DQ; c++) {
            g[i][c] = edgecl_exp_float4(g[i][c] - m);
            s4 += g[i][c];
        }
        const float inv = 1.0f / (s4.x + s4.y + s4.z + s4.w);
        for (int c = 0; c < XCA_DQ; c++) g[i][c] *= inv;
    }
    for (int t = 0; t < T; t++) {
        __global const DATA_T* row = qkv + (size_t)(n * T + t) * C3 + 2 * C + h * XCA_D;
        float4 v[XCA_DQ];
        for (int c = 0; c < XCA_DQ; c++) v[c] = xca_row4(row, c);
        const int ob = (n * T + t) * C + h * XCA_D;
        for (int i = 0; i < XCA_D; i++) {
            float acc = 0.0f;
            for (int c = 0; c < XCA_DQ; c++) acc += dot(g[i][c], v[c]);
            ST(out, ob + i, acc);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Channel attention as small GEMMs with parallel work for every core (CPU runtimes; built after
// panel.h.cl, whose micro-kernel runs the last step). Per image n and head h, with Q, K, V the
// head's [T, D] slices of qkv:
//   1. xca_gram: G = Q^T K (D x D) and the squared norms of Q's and K's columns, as partial
//      sums over XG_P chunks of tokens: one work-item per (head, block of XG_RM rows of G,
//      image, chunk). A row of G is XG_NB vectors of PANEL_VW columns; K's row for one token is
//      loaded as such vectors (its lanes past D read the next head's or v's channels of the
//      same token: in bounds, and dropped at step 2).
//   2. xca_attn: sums the chunks, normalises, scales by the temperature and takes the softmax
//      of each row; writes attn^T into the packed panels of a block-diagonal [C, C] matrix B,
//      B[h*D + j, h*D + i] = attn[i, j] (zeros elsewhere, written once when the scratch is made).
//   3. xca_apply: out[n, t, :] = V_t B on the panel micro-kernel, each panel of columns looping
//      only over the rows of B its heads touch.
// Partial sums per (n, h, chunk): G rows [D][XG_NB * PANEL_VW], then Q norms [D], then K norms
// [XG_NB * PANEL_VW].
#ifndef XG_RM
#define XG_RM 8
#endif
#define XG_NB ((XCA_D + PANEL_VW - 1) / PANEL_VW)
#define XG_W (XG_NB * PANEL_VW)
#define XG_PART (XCA_D * XG_W + XCA_D + XG_W)

// Global size: (heads * ceil(D / XG_RM), N * P).
__kernel void xca_gram(__global const DATA_T* qkv, __global float* part, int T, int C, int heads, int chunk, int P,
                       int N) {
    const int rb = get_global_id(0) % ((XCA_D + XG_RM - 1) / XG_RM);
    const int h = get_global_id(0) / ((XCA_D + XG_RM - 1) / XG_RM);
    const int n = get_global_id(1) / P, c = get_global_id(1) % P;
    if (h >= heads || n >= N) return;
    const int i0 = rb * XG_RM;
    const int t0 = c * chunk, t1 = min(T, t0 + chunk);
    floatV g[XG_RM][XG_NB], kn[XG_NB];
    float qn[XG_RM];
    _Pragma("unroll") for (int i = 0; i < XG_RM; i++) {
        qn[i] = 0.0f;
        _Pragma("unroll") for (int v = 0; v < XG_NB; v++) g[i][v] = (floatV)(0.0f);
    }
    _Pragma("unroll") for (int v = 0; v < XG_NB; v++) kn[v] = (floatV)(0.0f);
    const int C3 = 3 * C;
    for (int t = t0; t < t1; t++) {
        __global const DATA_T* q = qkv + (size_t)(n * T + t) * C3 + h * XCA_D;
        floatV k[XG_NB];
        _Pragma("unroll") for (int v = 0; v < XG_NB; v++) {
            k[v] = LDN(PANEL_VW, q, C + v * PANEL_VW);
            kn[v] = fma(k[v], k[v], kn[v]);
        }
        _Pragma("unroll") for (int i = 0; i < XG_RM; i++) {
            const float qi = LD(q, min(i0 + i, XCA_D - 1));
            qn[i] = fma(qi, qi, qn[i]);
            _Pragma("unroll") for (int v = 0; v < XG_NB; v++) g[i][v] = fma((floatV)(qi), k[v], g[i][v]);
        }
    }
    __global float* o = part + (size_t)((n * heads + h) * P + c) * XG_PART;
    _Pragma("unroll") for (int i = 0; i < XG_RM; i++) {
        if (i0 + i < XCA_D) {
            _Pragma("unroll") for (int v = 0; v < XG_NB; v++) EDGECL_CAT(vstore, PANEL_VW)(g[i][v], 0, o + (i0 + i) * XG_W + v * PANEL_VW);
            o[XCA_D * XG_W + i0 + i] = qn[i];
        }
    }
    if (rb == 0) {
        _Pragma("unroll") for (int v = 0; v < XG_NB; v++) EDGECL_CAT(vstore, PANEL_VW)(kn[v], 0, o + XCA_D * XG_W + XCA_D + v * PANEL_VW);
    }
}

#if PANEL_VW == 16
#define XG_LANES ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#elif PANEL_VW == 8
#define XG_LANES ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#else
#define XG_LANES ((int4)(0, 1, 2, 3))
#endif

// Global size: (heads * D, N). bp: N packed [C, C] matrices of ceil(C / PANEL_W) panels.
__kernel void xca_attn(__global const float* part, __global const DATA_T* temperature, __global DATA_T* bp, int C,
                       int heads, int P) {
    const int i = get_global_id(0) % XCA_D, h = get_global_id(0) / XCA_D;
    const int n = get_global_id(1);
    if (h >= heads) return;
    __global const float* base = part + (size_t)(n * heads + h) * P * XG_PART;
    floatV g[XG_NB], kn[XG_NB];
    float qn = 0.0f;
    _Pragma("unroll") for (int v = 0; v < XG_NB; v++) {
        g[v] = (floatV)(0.0f);
        kn[v] = (floatV)(0.0f);
    }
    for (int c = 0; c < P; c++) {
        __global const float* o = base + c * XG_PART;
        _Pragma("unroll") for (int v = 0; v < XG_NB; v++) {
            g[v] += EDGECL_CAT(vload, PANEL_VW)(0, o + i * XG_W + v * PANEL_VW);
            kn[v] += EDGECL_CAT(vload, PANEL_VW)(0, o + XCA_D * XG_W + XCA_D + v * PANEL_VW);
        }
        qn += o[XCA_D * XG_W + i];
    }
    // F.normalize: x / max(||x||, 1e-12); scores x temperature, softmax over j < D, in vectors
    // (lanes past D take -inf, so exp gives them 0)
    const float sq = LD(temperature, h) / fmax(sqrt(qn), 1e-12f);
    floatV m = (floatV)(-INFINITY);
    _Pragma("unroll") for (int v = 0; v < XG_NB; v++) {
        g[v] = g[v] * sq / fmax(sqrt(kn[v]), (floatV)(1e-12f));
        g[v] = select(g[v], (floatV)(-INFINITY), XG_LANES >= (XCA_D - v * PANEL_VW));
        m = fmax(m, g[v]);
    }
    const float mx = edgecl_hmaxn(PANEL_VW, m);
    floatV sum = (floatV)(0.0f);
    _Pragma("unroll") for (int v = 0; v < XG_NB; v++) {
        g[v] = edgecl_expn(PANEL_VW, g[v] - mx);
        sum += g[v];
    }
    const float inv = 1.0f / edgecl_hsumn(PANEL_VW, sum);
    float s[XG_W];
    _Pragma("unroll") for (int v = 0; v < XG_NB; v++) EDGECL_CAT(vstore, PANEL_VW)(g[v] * inv, 0, s + v * PANEL_VW);
    // B[h*D + j, h*D + i] in panels of PANEL_W columns
    const int col = h * XCA_D + i, p = col / PANEL_W, jj = col % PANEL_W;
    __global DATA_T* b = bp + ((size_t)n * ((C + PANEL_W - 1) / PANEL_W) + p) * C * PANEL_W;
    for (int j = 0; j < XCA_D; j++) ST(b, (h * XCA_D + j) * PANEL_W + jj, s[j]);
}

// Global size: (ceil(C / PANEL_W), N * ceil(T / PANEL_RM)). The head dimension D is an argument
// (the loop bounds alone use it), so every stage of a network shares this kernel's program.
__kernel void xca_apply_panel(__global const DATA_T* qkv, __global const DATA_T* bp, __global DATA_T* out, int T,
                              int C, int N, int D) {
    const int p = get_global_id(0);
    const int tiles = (T + PANEL_RM - 1) / PANEL_RM;
    const int n = get_global_id(1) / tiles, t0 = (get_global_id(1) % tiles) * PANEL_RM;
    if (p * PANEL_W >= C || n >= N) return;
    // the rows of B this panel's columns have entries in: the heads they belong to
    const int k0 = (p * PANEL_W / D) * D;
    const int k1 = min(C, ((min(C, (p + 1) * PANEL_W) - 1) / D + 1) * D);
    __global const DATA_T* a[PANEL_RM];
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) a[i] = qkv + (size_t)(n * T + min(t0 + i, T - 1)) * 3 * C + 2 * C;
    __global const DATA_T* panel = bp + ((size_t)n * ((C + PANEL_W - 1) / PANEL_W) + p) * C * PANEL_W;
    floatV acc[PANEL_RM][PANEL_NB];
    _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++)
        _Pragma("unroll") for (int v = 0; v < PANEL_NB; v++) acc[i][v] = (floatV)(0.0f);
    floatV b[PANEL_NB];
    for (int k = k0; k < k1; k++) {
        panel_load_b(panel + k * PANEL_W, b);
        _Pragma("unroll") for (int i = 0; i < PANEL_RM; i++) PANEL_FMA_ROW(i, LD(a[i], k));
    }
    panel_store(acc, t0, T, p * PANEL_W, C, C, out, out, out, out + (size_t)n * T * C, ACT_NONE);
}

// ---------------------------------------------------------------------------------------------
// Multi-query attention (MobileNetV4's mobile MQA): every query head attends over one key head
// and one value head shared by all, usually of fewer tokens (keys and values downsampled).
// Queries are rows q_stride apart (channel h * HEAD_DIM + i of head h); keys and values are rows
// kv_stride apart, at channel k_off and v_off: separate tensors, or the [q | k | v] tensor of
// one projection (then k == v == q and the rows are the queries' tokens).
//   out[n, t, h*D + i] = sum_j softmax_j(<q_t,h, k_j> * scale) v_j[i]    (out rows heads * D apart)
// with an online softmax per query, as mhsa. Work-items next to each other take neighbouring
// queries of one head and walk the same keys in step.
// Global size: (L, heads, N).

__kernel void mqa(__global const DATA_T* q, __global const DATA_T* k, __global const DATA_T* v,
                  __global DATA_T* out, int L, int M, int heads, float scale, int q_stride, int kv_stride,
                  int k_off, int v_off) {
    const int t = get_global_id(0);
    const int h = get_global_id(1);
    const int n = get_global_id(2);
    if (t >= L) return;
    const size_t qb = ((size_t)n * L + t) * q_stride + h * HEAD_DIM;
    float qv[HEAD_DIM], acc[HEAD_DIM];
    for (int i = 0; i < HEAD_DIM; i++) {
        qv[i] = LD(q, qb + i) * scale;
        acc[i] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    for (int j = 0; j < M; j++) {
        const size_t kb = ((size_t)n * M + j) * kv_stride;
        float s = 0.0f;
        for (int i = 0; i < HEAD_DIM; i++) s = fma(qv[i], LD(k, kb + k_off + i), s);
        const float mn = fmax(m, s);
        const float corr = edgecl_exp_float(m - mn), p = edgecl_exp_float(s - mn);
        l = l * corr + p;
        for (int i = 0; i < HEAD_DIM; i++) acc[i] = fma(p, LD(v, kb + v_off + i), acc[i] * corr);
        m = mn;
    }
    const float inv = 1.0f / l;
    const size_t ob = ((size_t)n * L + t) * heads * HEAD_DIM + h * HEAD_DIM;
    for (int i = 0; i < HEAD_DIM; i++) ST(out, ob + i, acc[i] * inv);
}

// mqa's keys and values in mhsa_qb's scratch layout (one group per image, one head): keys
// transposed [n][HEAD_DIM][Tp], values token-major [n][Tp][MH_DP], zero past the M keys. Rows and
// offsets as for mqa.
// Global size: (Tp, N).
__kernel void mqa_pack_tv(__global const DATA_T* k, __global const DATA_T* v, __global float* kv, int M, int Tp,
                          int v_off_scratch, int N, int kv_stride, int k_off, int v_off) {
    const int t = get_global_id(0), n = get_global_id(1);
    if (t >= Tp || n >= N) return;
    __global float* kt = kv + (size_t)n * HEAD_DIM * Tp + t;
    __global float* vr = kv + v_off_scratch + ((size_t)n * Tp + t) * MH_DP;
    if (t < M) {
        const size_t src = ((size_t)n * M + t) * kv_stride;
        for (int i = 0; i < HEAD_DIM; i++) {
            kt[i * Tp] = LD(k, src + k_off + i);
            vr[i] = LD(v, src + v_off + i);
        }
        for (int i = HEAD_DIM; i < MH_DP; i++) vr[i] = 0.0f;
    } else {
        for (int i = 0; i < HEAD_DIM; i++) kt[i * Tp] = 0.0f;
        for (int i = 0; i < MH_DP; i++) vr[i] = 0.0f;
    }
}
