// Depthwise convolution over NHWC activations, any kernel size and stride, with a channel
// multiplier (output channel co reads input channel co / MULT, as PyTorch's groups = Cin with
// Cout = MULT * Cin), optional bias, activation, and an optional addend tensor summed into the
// input before the convolution (the Res2Net-style cascade of EdgeNeXt's SDTA block:
// conv_i(x_i + y_{i-1})).
//
// Input, addend and output may be channel slices of wider tensors: each has a channel stride
// (*_cs, elements between pixels) and a channel offset (*_co).
// Global size: (Cout, Wo, N * Ho).

#include "common.h.cl"

#ifndef HAS_BIAS
#define HAS_BIAS 1
#endif
#ifndef HAS_ADD
#define HAS_ADD 0
#endif
#ifndef ACT
#define ACT ACT_NONE
#endif
// Tap spacing (PyTorch's dilation; 2 in the dilated last stage of a segmentation backbone at
// output stride 16), in dwconv, dwconv_c4 and dwconv_vec's general path; the host leaves the
// build-time geometry (DW_KH) undefined for a dilated conv, and the LayerNorm kernels take
// dilation 1 only.
#ifndef DW_DIL
#define DW_DIL 1
#endif

// One output value: the K x K taps of channel ci around (ho, wo), plus the addend when use_add.
// Tensors are NHWC with a channel stride (*_cs) and offset (*_co); weights [KH, KW, Cout].
inline float dw_point(__global const DATA_T* in, int in_cs, int in_co, __global const DATA_T* addend, int add_cs,
                      int add_co, int use_add, __global const DATA_T* w, int Cout, int co, int ci, int n, int H,
                      int W, int ho, int wo, int KH, int KW, int stride, int pad_h, int pad_w) {
    float acc = 0.0f;
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh * DW_DIL;
        if (hi < 0 || hi >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
            const int wi = wo * stride - pad_w + kw * DW_DIL;
            if (wi < 0 || wi >= W) continue;
            const int p = (n * H + hi) * W + wi;
            float x = LD(in, p * in_cs + in_co + ci);
            if (use_add) x += LD(addend, p * add_cs + add_co + ci);
            acc = fma(x, LD(w, (kh * KW + kw) * Cout + co), acc);
        }
    }
    return acc;
}

// Four consecutive channels co..co+3 at once (channel multiplier 1).
inline float4 dw_point4(__global const DATA_T* in, int in_cs, int in_co, __global const DATA_T* addend, int add_cs,
                        int add_co, int use_add, __global const DATA_T* w, int Cout, int co, int n, int H, int W,
                        int ho, int wo, int KH, int KW, int stride, int pad_h, int pad_w) {
    float4 acc = (float4)(0.0f);
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh * DW_DIL;
        if (hi < 0 || hi >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
            const int wi = wo * stride - pad_w + kw * DW_DIL;
            if (wi < 0 || wi >= W) continue;
            const int p = (n * H + hi) * W + wi;
            float4 x = LD4(in, p * in_cs + in_co + co);
            if (use_add) x += LD4(addend, p * add_cs + add_co + co);
            acc = fma(x, LD4(w, (kh * KW + kw) * Cout + co), acc);
        }
    }
    return acc;
}

__kernel void dwconv(__global const DATA_T* in, __global const DATA_T* addend, __global const DATA_T* w,
                     __global const DATA_T* bias, __global DATA_T* out,
                     int H, int W, int Cout, int Ho, int Wo, int KH, int KW, int stride, int pad_h, int pad_w,
                     int mult, int rows, int in_cs, int in_co, int add_cs, int add_co, int out_cs, int out_co) {
    const int co = get_global_id(0);
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (co >= Cout || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float acc = dw_point(in, in_cs, in_co, addend, add_cs, add_co, HAS_ADD, w, Cout, co, co / mult, n, H, W, ho, wo,
                         KH, KW, stride, pad_h, pad_w);
#if HAS_BIAS
    acc += LD(bias, co);
#endif
    ST(out, (nho * Wo + wo) * out_cs + out_co + co, edgecl_act(acc, ACT));
}

// Four channels per work-item (channel multiplier 1, Cout a multiple of 4): vector loads and a
// vector activation, which CPU runtimes turn into SIMD code. Same arguments as dwconv.
// Global size: (Cout / 4, Wo, N * Ho).
__kernel void dwconv_c4(__global const DATA_T* in, __global const DATA_T* addend, __global const DATA_T* w,
                        __global const DATA_T* bias, __global DATA_T* out,
                        int H, int W, int Cout, int Ho, int Wo, int KH, int KW, int stride, int pad_h, int pad_w,
                        int mult, int rows, int in_cs, int in_co, int add_cs, int add_co, int out_cs, int out_co) {
    const int co = get_global_id(0) * 4;
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (co >= Cout || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float4 acc = dw_point4(in, in_cs, in_co, addend, add_cs, add_co, HAS_ADD, w, Cout, co, n, H, W, ho, wo, KH, KW,
                           stride, pad_h, pad_w);
#if HAS_BIAS
    acc += LD4(bias, co);
#endif
    ST4(out, (nho * Wo + wo) * out_cs + out_co + co, edgecl_act4(acc, ACT));
}

// ---------------------------------------------------------------------------------------------
// DW_VW channels x DW_WB consecutive output columns per work-item in explicit vectors (channel
// multiplier 1, Cout a multiple of DW_VW): each weight vector is loaded once per tap and used
// for DW_WB outputs, and the compiler of a CPU runtime emits full-width SIMD for every FMA.
// Same arguments as dwconv, then the activation code (ACT_*: an argument, so one program serves
// every activation) and, with nparts > 0 (a whole output: out_cs = Cout, out_co = 0), float
// partial sums parts[n, nparts = Ho * ceil(Wo / DW_WB), Cout] of what each work-item stores: the
// squeeze-excite pool that reads this output next (excite.cl's SE_PARTS) then needs no pass of
// its own over it. Global size: (Cout / DW_VW, ceil(Wo / DW_WB), N * Ho).

#ifndef DW_VW
#define DW_VW 8
#endif
#ifndef DW_WB
#define DW_WB 4
#endif
#define dwvec FLOATN(DW_VW)
#if DW_VW != 4 && DW_VW != 8 && DW_VW != 16
#error "DW_VW must be 4, 8 or 16"
#endif

// With the kernel geometry known at build time (DW_KH, DW_KW, DW_S, set by the host), for each
// kernel row the DW_COLS input columns the block's DW_WB outputs read are loaded once, and every
// tap is a register FMA (a 3x3 stride-1 block of 4 outputs loads 6 vectors per row, not 12); a
// block whose window lies inside the image runs it without bounds tests.
#ifdef DW_KH
#define DW_COLS ((DW_WB - 1) * DW_S + DW_KW)
#ifndef DW_UNROLL_ROWS
#define DW_UNROLL_ROWS (DW_KH <= 5)
#endif
EDGECL_INLINE bool dw_interior(int H, int W, int ho, int wo0, int pad_h, int pad_w) {
    const int hi0 = ho * DW_S - pad_h, wi0 = wo0 * DW_S - pad_w;
    return hi0 >= 0 && hi0 + DW_KH <= H && wi0 >= 0 && wi0 + DW_COLS <= W;
}

// edge: the block touches the border. Rows outside the image are skipped and columns outside it
// load as zeros, so the taps stay register FMAs (on 7x7 and 14x14 maps, the late 5x5 stages of
// MobileNetV3 and EfficientNet, most blocks touch the border). Called with a constant, so each
// call site compiles to its own loop.
EDGECL_INLINE void dw_block_fast(dwvec* acc, __global const DATA_T* in, int in_cs, int in_co, __global const DATA_T* w,
                          __global const DATA_T* bias, int Cout, int co, int n, int H, int W, int ho, int wo0,
                          int pad_h, int pad_w, const bool edge) {
#if HAS_BIAS
    const dwvec b = LDN(DW_VW, bias, co);
#else
    const dwvec b = (dwvec)(0.0f);
#endif
    _Pragma("unroll") for (int j = 0; j < DW_WB; j++) acc[j] = b;
    const int hi0 = ho * DW_S - pad_h, wi0 = wo0 * DW_S - pad_w;
    // up to 5x5 the rows are unrolled too (rolled, MobileNetV3's and EfficientNet's depthwise convs
    // ran 10-15% slower); from 7x7 they stay a loop of straight-line rows, whose unrolled form
    // took 2 s to compile (DW_UNROLL_ROWS)
#if DW_UNROLL_ROWS
    _Pragma("unroll")
#else
    _Pragma("unroll 1")
#endif
    for (int kh = 0; kh < DW_KH; kh++) {
        const int hi = hi0 + kh;
        if (edge && (hi < 0 || hi >= H)) continue;
        __global const DATA_T* row = in + (n * H + hi) * W * in_cs + in_co + co;
        dwvec x[DW_COLS];
        _Pragma("unroll") for (int c = 0; c < DW_COLS; c++) {
            const int wi = wi0 + c;
            x[c] = !edge || (wi >= 0 && wi < W) ? LDN(DW_VW, row, wi * in_cs) : (dwvec)(0.0f);
        }
        _Pragma("unroll") for (int kw = 0; kw < DW_KW; kw++) {
            const dwvec wk = LDN(DW_VW, w, (kh * DW_KW + kw) * Cout + co);
            _Pragma("unroll") for (int j = 0; j < DW_WB; j++) acc[j] = fma(x[j * DW_S + kw], wk, acc[j]);
        }
    }
}
#endif

// acc[j] = bias + the taps of output column wo0 + j, channels co..co + DW_VW (plus the addend
// when HAS_ADD): the DW_WB outputs of one work-item, each weight vector loaded once per tap.
EDGECL_INLINE void dw_block_vec(dwvec* acc, __global const DATA_T* in, int in_cs, int in_co,
                         __global const DATA_T* addend, int add_cs, int add_co, __global const DATA_T* w,
                         __global const DATA_T* bias, int Cout, int co, int n, int H, int W, int ho, int wo0,
                         int KH, int KW, int stride, int pad_h, int pad_w) {
#if HAS_BIAS
    const dwvec b = LDN(DW_VW, bias, co);
#else
    const dwvec b = (dwvec)(0.0f);
#endif
    _Pragma("unroll") for (int j = 0; j < DW_WB; j++) acc[j] = b;
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh * DW_DIL;
        if (hi < 0 || hi >= H) continue;
        const int prow = (n * H + hi) * W;
        for (int kw = 0; kw < KW; kw++) {
            const dwvec wk = LDN(DW_VW, w, (kh * KW + kw) * Cout + co);
            _Pragma("unroll") for (int j = 0; j < DW_WB; j++) {
                const int wi = (wo0 + j) * stride - pad_w + kw * DW_DIL;
                if (wi >= 0 && wi < W) {
                    const int p = prow + wi;
                    dwvec x = LDN(DW_VW, in, p * in_cs + in_co + co);
#if HAS_ADD
                    x += LDN(DW_VW, addend, p * add_cs + add_co + co);
#endif
                    acc[j] = fma(x, wk, acc[j]);
                }
            }
        }
    }
}

__kernel void dwconv_vec(__global const DATA_T* in, __global const DATA_T* addend, __global const DATA_T* w,
                         __global const DATA_T* bias, __global DATA_T* out,
                         int H, int W, int Cout, int Ho, int Wo, int KH, int KW, int stride, int pad_h, int pad_w,
                         int mult, int rows, int in_cs, int in_co, int add_cs, int add_co, int out_cs, int out_co,
                         int act, __global float* parts, int nparts) {
    const int co = get_global_id(0) * DW_VW;
    const int wo0 = get_global_id(1) * DW_WB;
    const int nho = get_global_id(2);
    if (co >= Cout || wo0 >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    dwvec acc[DW_WB];
#if defined(DW_KH) && !HAS_ADD && DW_DIL == 1
    if (dw_interior(H, W, ho, wo0, pad_h, pad_w)) {
        dw_block_fast(acc, in, in_cs, in_co, w, bias, Cout, co, n, H, W, ho, wo0, pad_h, pad_w, false);
    } else {
        dw_block_fast(acc, in, in_cs, in_co, w, bias, Cout, co, n, H, W, ho, wo0, pad_h, pad_w, true);
    }
#else
    dw_block_vec(acc, in, in_cs, in_co, addend, add_cs, add_co, w, bias, Cout, co, n, H, W, ho, wo0, KH, KW, stride,
                 pad_h, pad_w);
#endif
    dwvec psum = (dwvec)(0.0f);
    _Pragma("unroll") for (int j = 0; j < DW_WB; j++) {
        if (wo0 + j < Wo) {
            const dwvec r = edgecl_actn(DW_VW, acc[j], act);
            psum += r;
            STN(DW_VW, out, (nho * Wo + wo0 + j) * out_cs + out_co + co, r);
        }
    }
    // the squeeze-excite pool's partial sums: parts[n, ho * ceil(Wo / DW_WB) + wo0 / DW_WB, co]
    if (nparts > 0) {
        const int part = ho * ((Wo + DW_WB - 1) / DW_WB) + wo0 / DW_WB;
        EDGECL_CAT(vstore, DW_VW)(psum, 0, parts + ((size_t)n * nparts + part) * Cout + co);
    }
}

// ---------------------------------------------------------------------------------------------
// Depthwise convolution fused with the LayerNorm over channels that follows it (EdgeNeXt and
// ConvNeXt conv blocks): one work-group per output pixel computes all Cout channels into local
// memory, reduces mean and variance there, and writes the normalised pixel once.
// Global size: (DWLN_WG, N * Ho * Wo); local size: (DWLN_WG, 1).
// Local arguments: vals (Cout floats), red (DWLN_WG floats).

#ifndef DWLN_WG
#define DWLN_WG 64
#endif

__kernel __attribute__((reqd_work_group_size(DWLN_WG, 1, 1)))
void dwconv_ln(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
               __global const DATA_T* gamma, __global const DATA_T* beta, __global DATA_T* out,
               int H, int W, int Cout, int Ho, int Wo, int KH, int KW, int stride, int pad_h, int pad_w,
               int mult, float eps, __local float* vals, __local float* red) {
    const int lid = get_local_id(0);
    const int pix = get_group_id(1);
    const int n = pix / (Ho * Wo);
    const int ho = (pix / Wo) % Ho;
    const int wo = pix % Wo;
    float part = 0.0f;
    for (int co = lid; co < Cout; co += DWLN_WG) {
        float acc = dw_point(in, Cout / mult, 0, in, 0, 0, 0, w, Cout, co, co / mult, n, H, W, ho, wo, KH, KW, stride,
                             pad_h, pad_w);
#if HAS_BIAS
        acc += LD(bias, co);
#endif
        vals[co] = acc;
        part += acc;
    }
    red[lid] = part;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = DWLN_WG / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] += red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float mean = red[0] / (float) Cout;
    barrier(CLK_LOCAL_MEM_FENCE);
    part = 0.0f;
    for (int co = lid; co < Cout; co += DWLN_WG) {
        const float d = vals[co] - mean;
        part = fma(d, d, part);
    }
    red[lid] = part;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = DWLN_WG / 2; s > 0; s >>= 1) {
        if (lid < s) red[lid] += red[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float inv = rsqrt(red[0] / (float) Cout + eps);
    for (int co = lid; co < Cout; co += DWLN_WG) {
        ST(out, pix * Cout + co, (vals[co] - mean) * inv * LD(gamma, co) + LD(beta, co));
    }
}

// ---------------------------------------------------------------------------------------------
// Depthwise transposed convolution with kernel = stride = S (EdgeViT's local propagation):
// every input pixel expands into an S x S patch, out[n, y, x, c] = in[n, y/S, x/S, c] *
// w[y mod S, x mod S, c] + bias[c]. Weights [S, S, C]. Global size: (C, W * S, N * H * S).
__kernel void dwconv_transpose(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                               __global DATA_T* out, int H, int W, int C, int S, int rows) {
    const int c = get_global_id(0);
    const int x = get_global_id(1);
    const int ny = get_global_id(2);
    const int Wo = W * S, Ho = H * S;
    if (c >= C || x >= Wo || ny >= rows) return;
    const int n = ny / Ho, y = ny % Ho;
    float v = LD(in, ((n * H + y / S) * W + x / S) * C + c) * LD(w, ((y % S) * S + x % S) * C + c);
#if HAS_BIAS
    v += LD(bias, c);
#endif
    ST(out, (ny * Wo + x) * C + c, v);
}

// The same for CPU runtimes: one work-item per input pixel and DW_VW channels (C a multiple of
// DW_VW), writing its S x S patch from one input vector. Global size: (C / DW_VW, W, N * H).
__kernel void dwconv_transpose_vec(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                                   __global DATA_T* out, int H, int W, int C, int S, int rows) {
    const int c = get_global_id(0) * DW_VW;
    const int x = get_global_id(1);
    const int ny = get_global_id(2);
    if (c >= C || x >= W || ny >= rows) return;
    const dwvec v = LDN(DW_VW, in, (ny * W + x) * C + c);
#if HAS_BIAS
    const dwvec b = LDN(DW_VW, bias, c);
#else
    const dwvec b = (dwvec)(0.0f);
#endif
    const int n = ny / H, y = ny % H, Wo = W * S;
    for (int dy = 0; dy < S; dy++) {
        const int row = (n * H + y) * S + dy;
        for (int dx = 0; dx < S; dx++) {
            STN(DW_VW, out, (row * Wo + x * S + dx) * C + c, fma(v, LDN(DW_VW, w, (dy * S + dx) * C + c), b));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The same fusion for CPU runtimes, where work-group barriers are emulated and expensive: one
// work-item per output pixel walks its channels three times (conv + mean, variance, normalise),
// keeping the conv results in the output row between passes, four channels at a time (vector
// loads and FMAs) when the multiplier is 1 and Cout a multiple of 4. Global size: (N * Ho * Wo).
__kernel void dwconv_ln_px(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                           __global const DATA_T* gamma, __global const DATA_T* beta, __global DATA_T* out,
                           int H, int W, int Cout, int Ho, int Wo, int KH, int KW, int stride, int pad_h, int pad_w,
                           int mult, float eps, int pixels) {
    const int pix = get_global_id(0);
    if (pix >= pixels) return;
    const int n = pix / (Ho * Wo);
    const int ho = (pix / Wo) % Ho;
    const int wo = pix % Wo;
    const int cin = Cout / mult;
    const int ob = pix * Cout;
    const int quads = (mult == 1) ? Cout / 4 : 0;
    float sum = 0.0f;
    for (int q = 0; q < quads; q++) {
        const int co = 4 * q;
        float4 acc = dw_point4(in, cin, 0, in, 0, 0, 0, w, Cout, co, n, H, W, ho, wo, KH, KW, stride, pad_h, pad_w);
#if HAS_BIAS
        acc += LD4(bias, co);
#endif
        ST4(out, ob + co, acc);
        sum += acc.x + acc.y + acc.z + acc.w;
    }
    for (int co = 4 * quads; co < Cout; co++) {
        float acc = dw_point(in, cin, 0, in, 0, 0, 0, w, Cout, co, co / mult, n, H, W, ho, wo, KH, KW, stride, pad_h,
                             pad_w);
#if HAS_BIAS
        acc += LD(bias, co);
#endif
        ST(out, ob + co, acc);
        sum += acc;
    }
    const float mean = sum / (float) Cout;
    float var = 0.0f;
    for (int co = 0; co < Cout; co++) {
        const float d = LD(out, ob + co) - mean;
        var = fma(d, d, var);
    }
    const float inv = rsqrt(var / (float) Cout + eps);
    for (int co = 0; co < Cout; co++) {
        ST(out, ob + co, (LD(out, ob + co) - mean) * inv * LD(gamma, co) + LD(beta, co));
    }
}

// ---------------------------------------------------------------------------------------------
// Depthwise conv + LayerNorm for CPU runtimes in explicit vectors (channel multiplier 1, Cout a
// multiple of DW_VW): DW_WB consecutive output pixels of a row per work-item, DW_VW channels at
// a time, each weight vector loaded once per tap for the DW_WB pixels. Mean and variance come
// from one pass over the conv outputs as they are stored (sums of x - s and (x - s)^2 with s the
// pixel's first output, which keeps the difference of sums well conditioned); a second pass
// normalises in place. Same arguments as dwconv_ln_px but the last is rows (N * Ho).
// Global size: (ceil(Wo / DW_WB), N * Ho).

__kernel void dwconv_ln_vec(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                            __global const DATA_T* gamma, __global const DATA_T* beta, __global DATA_T* out,
                            int H, int W, int Cout, int Ho, int Wo, int KH, int KW, int stride, int pad_h,
                            int pad_w, int mult, float eps, int rows) {
    const int wo0 = get_global_id(0) * DW_WB;
    const int nho = get_global_id(1);
    if (wo0 >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float shift[DW_WB];
    dwvec s1[DW_WB], s2[DW_WB];
#ifdef DW_KH
    const bool interior = dw_interior(H, W, ho, wo0, pad_h, pad_w);
#endif
    _Pragma("unroll") for (int j = 0; j < DW_WB; j++) {
        s1[j] = (dwvec)(0.0f);
        s2[j] = (dwvec)(0.0f);
    }
    for (int co = 0; co < Cout; co += DW_VW) {
        dwvec acc[DW_WB];
#ifdef DW_KH
        if (interior) dw_block_fast(acc, in, Cout, 0, w, bias, Cout, co, n, H, W, ho, wo0, pad_h, pad_w, false);
        else dw_block_fast(acc, in, Cout, 0, w, bias, Cout, co, n, H, W, ho, wo0, pad_h, pad_w, true);
#else
        dw_block_vec(acc, in, Cout, 0, in, 0, 0, w, bias, Cout, co, n, H, W, ho, wo0, KH, KW, stride, pad_h, pad_w);
#endif
        _Pragma("unroll") for (int j = 0; j < DW_WB; j++) {
            const dwvec v = acc[j];
            if (co == 0) shift[j] = v.s0;
            const dwvec d = v - (dwvec)(shift[j]);
            s1[j] += d;
            s2[j] = fma(d, d, s2[j]);
            if (wo0 + j < Wo) STN(DW_VW, out, (nho * Wo + wo0 + j) * Cout + co, v);
        }
    }
    const float inv_c = 1.0f / (float) Cout;
    _Pragma("unroll") for (int j = 0; j < DW_WB; j++) {
        if (wo0 + j >= Wo) continue;
        const float m1 = edgecl_hsumn(DW_VW, s1[j]) * inv_c, m2 = edgecl_hsumn(DW_VW, s2[j]) * inv_c;
        const float mean = shift[j] + m1;
        const float inv = rsqrt(fmax(m2 - m1 * m1, 0.0f) + eps);
        const int ob = (nho * Wo + wo0 + j) * Cout;
        for (int co = 0; co < Cout; co += DW_VW) {
            const dwvec v = LDN(DW_VW, out, ob + co);
            STN(DW_VW, out, ob + co, (v - (dwvec)(mean)) * (dwvec)(inv) * LDN(DW_VW, gamma, co) + LDN(DW_VW, beta, co));
        }
    }
}
