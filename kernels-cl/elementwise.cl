// Element-wise kernels over flat tensors (any layout): add, scale, activation.
// Arguments are element counts; every work-item handles one element and guards the tail, so
// the global size may be rounded up to the work-group size. The activation is a build-time
// constant (ACT) so the compiler can vectorise it. Arithmetic is in COMPUTE_T (half in the fp16
// mode, else float).

#include "common.h.cl"

#ifndef ACT
#define ACT ACT_NONE
#endif

__kernel void vec_add(__global const DATA_T* a, __global const DATA_T* b, __global DATA_T* out, int n) {
    int i = get_global_id(0);
    if (i < n) STC(out, i, LDC(a, i) + LDC(b, i));
}

// out = act(x), in place allowed.
__kernel void activation(__global const DATA_T* x, __global DATA_T* out, int n) {
    int i = get_global_id(0);
    if (i < n) STC(out, i, edgecl_act_c(LDC(x, i), ACT));
}

// NHWC tensor [rows, C]: out = x * scale[c] (+ residual), e.g. a layer scale applied on its own.
__kernel void channel_scale_add(__global const DATA_T* x, __global const DATA_T* scale,
                                __global const DATA_T* residual, __global DATA_T* out,
                                int n, int channels, int has_residual) {
    int i = get_global_id(0);
    if (i >= n) return;
    COMPUTE_T v = LDC(x, i) * LDC(scale, i % channels);
    if (has_residual) v += LDC(residual, i);
    STC(out, i, v);
}

// out[i] = x[i] + y[i % period]: adds a tensor broadcast over the batch (a positional encoding
// [H*W, C] added to [N, H*W, C]).
__kernel void add_broadcast(__global const DATA_T* x, __global const DATA_T* y, __global DATA_T* out,
                            int n, int period) {
    int i = get_global_id(0);
    if (i < n) STC(out, i, LDC(x, i) + LDC(y, i % period));
}

// The network input: the host's NCHW float image(s) into the NHWC storage every kernel reads,
// on the device (a host-side transpose cost more than the stem convolution that follows it).
// Each work-item moves 16 pixels: one vector load per channel, then the interleaved stores (for
// three channels, three vector stores).
// Global size: (ceil(HW / 16), N).
__kernel void to_nhwc(__global const float* in, __global DATA_T* out, int C, int HW, int N) {
    const int p0 = get_global_id(0) * 16, n = get_global_id(1);
    if (p0 >= HW || n >= N) return; // the grid is rounded up to whole work-groups in both dimensions
    __global const float* src = in + (size_t)n * C * HW + p0;
    __global DATA_T* dst = out + ((size_t)n * HW + p0) * C;
    if (C == 3 && p0 + 16 <= HW) {
        // RGB, the usual case: the 16 pixels' 48 values are consecutive in NHWC, so they are
        // interleaved in registers and stored as three vectors instead of 48 single stores
        float r[16], g[16], b[16], t[48];
        vstore16(vload16(0, src), 0, r);
        vstore16(vload16(0, src + HW), 0, g);
        vstore16(vload16(0, src + 2 * HW), 0, b);
        _Pragma("unroll") for (int j = 0; j < 16; j++) {
            t[3 * j] = r[j];
            t[3 * j + 1] = g[j];
            t[3 * j + 2] = b[j];
        }
        _Pragma("unroll") for (int v = 0; v < 3; v++) STN(16, dst, 16 * v, vload16(v, t));
    } else if (p0 + 16 <= HW) {
        for (int c = 0; c < C; c++) {
            float t[16];
            vstore16(vload16(0, src + (size_t)c * HW), 0, t);
            _Pragma("unroll") for (int j = 0; j < 16; j++) ST(dst, j * C + c, t[j]);
        }
    } else {
        for (int j = 0; p0 + j < HW; j++)
            for (int c = 0; c < C; c++) ST(dst, j * C + c, src[(size_t)c * HW + j]);
    }
}

// A dense output (a segmenter's scores, features) from NHWC storage into the NCHW floats the
// host reads, on the device: the host then copies it as it is. The inverse of to_nhwc: each
// work-item reads the contiguous channels of 16 pixels and writes one 16-wide vector per channel.
// Global size: (ceil(HW / 16), N).
__kernel void to_nchw(__global const DATA_T* in, __global float* out, int C, int HW, int N) {
    const int p0 = get_global_id(0) * 16, n = get_global_id(1);
    if (p0 >= HW || n >= N) return; // the grid is rounded up to whole work-groups in both dimensions
    __global const DATA_T* src = in + ((size_t)n * HW + p0) * C;
    __global float* dst = out + (size_t)n * C * HW + p0;
    if (p0 + 16 <= HW) {
        for (int c = 0; c < C; c++) {
            float t[16];
            _Pragma("unroll") for (int j = 0; j < 16; j++) t[j] = LD(src, j * C + c);
            vstore16(vload16(0, t), 0, dst + (size_t)c * HW);
        }
    } else {
        for (int j = 0; p0 + j < HW; j++)
            for (int c = 0; c < C; c++) dst[(size_t)c * HW + j] = LD(src, j * C + c);
    }
}

// Up to six levels of a detection head joined per image in one launch (AnchorConcatOp): output
// element i of image b, in the span this launch covers, comes from the level whose run holds it,
// at b * len_l + (i - start_l); out holds `total` per image and this span starts at `base`.
// e0..e5 are the running ends of the levels' runs (an unused level repeats the last end). Each
// work-item copies 16 consecutive elements, as one vector where they lie in one level.
// Global size: (ceil(e5 / 16), N).
inline __global const DATA_T* ac_source(int i, int b, __global const DATA_T* l0, __global const DATA_T* l1,
                                        __global const DATA_T* l2, __global const DATA_T* l3,
                                        __global const DATA_T* l4, __global const DATA_T* l5, int e0, int e1,
                                        int e2, int e3, int e4, int e5, int* end) {
    if (i < e0) { *end = e0; return l0 + (size_t)b * e0 + i; }
    if (i < e1) { *end = e1; return l1 + (size_t)b * (e1 - e0) + (i - e0); }
    if (i < e2) { *end = e2; return l2 + (size_t)b * (e2 - e1) + (i - e1); }
    if (i < e3) { *end = e3; return l3 + (size_t)b * (e3 - e2) + (i - e2); }
    if (i < e4) { *end = e4; return l4 + (size_t)b * (e4 - e3) + (i - e3); }
    *end = e5;
    return l5 + (size_t)b * (e5 - e4) + (i - e4);
}

__kernel void anchor_concat(__global const DATA_T* l0, __global const DATA_T* l1, __global const DATA_T* l2,
                            __global const DATA_T* l3, __global const DATA_T* l4, __global const DATA_T* l5,
                            __global DATA_T* out, int e0, int e1, int e2, int e3, int e4, int e5, int total,
                            int base, int N) {
    const int i0 = get_global_id(0) * 16, b = get_global_id(1);
    if (i0 >= e5 || b >= N) return;
    __global DATA_T* dst = out + (size_t)b * total + base;
    int end;
    __global const DATA_T* src = ac_source(i0, b, l0, l1, l2, l3, l4, l5, e0, e1, e2, e3, e4, e5, &end);
    if (i0 + 16 <= end) {
        float t[16];
        _Pragma("unroll") for (int j = 0; j < 16; j++) t[j] = LD(src, j);
        _Pragma("unroll") for (int j = 0; j < 16; j++) ST(dst, i0 + j, t[j]);
    } else {
        // the run crosses a level's end (or the span's): element by element
        for (int i = i0; i < min(i0 + 16, e5); i++) {
            src = ac_source(i, b, l0, l1, l2, l3, l4, l5, e0, e1, e2, e3, e4, e5, &end);
            ST(dst, i, LD(src, 0));
        }
    }
}

// Copies C channels of every row from one channel slice to another (concatenation).
// Global size: (C, rows).
__kernel void channel_copy(__global const DATA_T* in, __global DATA_T* out, int C, int rows,
                           int in_cs, int in_co, int out_cs, int out_co) {
    int c = get_global_id(0);
    int r = get_global_id(1);
    if (c < C && r < rows) ST(out, r * out_cs + out_co + c, LD(in, r * in_cs + in_co + c));
}

// out = act(x + y), same shapes (residual connections).
__kernel void add2(__global const DATA_T* x, __global const DATA_T* y, __global DATA_T* out, int n) {
    int i = get_global_id(0);
    if (i < n) STC(out, i, edgecl_act_c(LDC(x, i) + LDC(y, i), ACT));
}

// out = act(x * scale[c] + shift[c]) over NHWC rows of `channels` (an eval-mode BatchNorm). The
// grid is (channel, row), as channel_gate's: no work-item divides to find its channel, and
// neighbouring work-items read neighbouring channels.
__kernel void affine(__global const DATA_T* x, __global const DATA_T* scale, __global const DATA_T* shift,
                     __global DATA_T* out, int rows, int channels) {
    int c = get_global_id(0), r = get_global_id(1);
    if (c >= channels || r >= rows) return;
    size_t i = (size_t)r * channels + c;
    STC(out, i, edgecl_act_c(fma(LDC(x, i), LDC(scale, c), LDC(shift, c)), ACT));
}

// The same on CPU runtimes: AFF_VW channels in one vector × AFF_ROWS rows per work-item, the
// scale and shift loaded once (channels a multiple of AFF_VW). One element per work-item cost
// PoCL 37 µs on 40,960 values (MobileNetV4-Hybrid-M's attention norms) for 8 GB/s.
// Global size: (channels / AFF_VW, ceil(rows / AFF_ROWS)).
#ifndef AFF_VW
#define AFF_VW 16
#endif
#ifndef AFF_ROWS
#define AFF_ROWS 8
#endif
__kernel void affine_vec(__global const DATA_T* x, __global const DATA_T* scale, __global const DATA_T* shift,
                         __global DATA_T* out, int rows, int channels) {
    const int c = get_global_id(0) * AFF_VW, r0 = get_global_id(1) * AFF_ROWS;
    if (c >= channels || r0 >= rows) return;
    const FLOATN(AFF_VW) s = LDN(AFF_VW, scale, c), t = LDN(AFF_VW, shift, c);
    const int r1 = min(r0 + AFF_ROWS, rows);
    for (int r = r0; r < r1; r++) {
        const size_t i = (size_t)r * channels + c;
        STN(AFF_VW, out, i, edgecl_actn(AFF_VW, fma(LDN(AFF_VW, x, i), s, t), ACT));
    }
}

// out = x * s[image, c]: the squeeze-excite gate; x is [images, hw, channels], s [images, channels].
// The grid is (channel, pixel, image), so no work-item divides to find its image and channel, and
// neighbouring work-items read neighbouring channels (one vector load on CPU runtimes).
__kernel void channel_gate(__global const DATA_T* x, __global const DATA_T* s, __global DATA_T* out, int hw,
                           int channels) {
    int c = get_global_id(0), p = get_global_id(1), img = get_global_id(2);
    if (c >= channels || p >= hw) return;
    size_t i = ((size_t)img * hw + p) * channels + c;
    STC(out, i, LDC(x, i) * LDC(s, img * channels + c));
}
