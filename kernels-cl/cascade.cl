// The Res2Net-style cascade of EdgeNeXt's SDTA block in one launch, with the positional
// encoding that follows it folded in:
//   y_0 = conv_0(x_0), y_i = conv_i(x_i + y_{i-1}) for i < NCONV, last chunk passed through,
//   out = concat(y_0 .. y_{NCONV-1}, x_last) [+ pos]
// conv_i is a KxK depthwise conv (stride 1, "same" padding) over a chunk of `width` channels.
// The chain is sequential across chunks but independent per channel j within a chunk, so one
// work-group owns (image n, channel j) and walks the chunks, with a barrier between them;
// y_{i-1} is read back from `out` before the positional encoding is added in a final pass.
// Weights: [NCONV, K, K, width]; biases [NCONV, width]; pos [H*W, C].
// Global size: (CASCADE_WG * width, N); local size: (CASCADE_WG, 1).

#include "common.h.cl"

#ifndef CASCADE_WG
#define CASCADE_WG 64
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 1
#endif
#ifndef HAS_POS
#define HAS_POS 0
#endif

__kernel __attribute__((reqd_work_group_size(CASCADE_WG, 1, 1)))
void split_cascade(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                   __global const DATA_T* pos, __global DATA_T* out,
                   int H, int W, int C, int width, int nconv, int K) {
    const int lid = get_local_id(0);
    const int j = get_group_id(0);
    const int n = get_group_id(1);
    const int HW = H * W;
    const int pad = K / 2;
    const int base = n * HW * C;
    for (int i = 0; i < nconv; i++) {
        const int c = i * width + j;
        for (int p = lid; p < HW; p += CASCADE_WG) {
            const int y = p / W, x = p % W;
            float acc = 0.0f;
            for (int kh = 0; kh < K; kh++) {
                const int yi = y - pad + kh;
                if (yi < 0 || yi >= H) continue;
                for (int kw = 0; kw < K; kw++) {
                    const int xi = x - pad + kw;
                    if (xi < 0 || xi >= W) continue;
                    const int q = base + (yi * W + xi) * C;
                    float v = LD(in, q + c);
                    if (i > 0) v += LD(out, q + c - width);
                    acc = fma(v, LD(w, ((i * K + kh) * K + kw) * width + j), acc);
                }
            }
#if HAS_BIAS
            acc += LD(bias, i * width + j);
#endif
            ST(out, base + p * C + c, acc);
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    // pass-through channels (and the positional encoding on every channel this group owns);
    // the last chunk is at most `width` wide for torch.chunk's split, but any remainder is copied
    for (int p = lid; p < HW; p += CASCADE_WG) {
        const int o = base + p * C;
#if HAS_POS
        for (int i = 0; i < nconv; i++) {
            const int c = i * width + j;
            ST(out, o + c, LD(out, o + c) + LD(pos, p * C + c));
        }
#endif
        for (int last = nconv * width + j; last < C; last += width) {
            float v = LD(in, o + last);
#if HAS_POS
            v += LD(pos, p * C + last);
#endif
            ST(out, o + last, v);
        }
    }
}

