// Dense 2-D convolution (groups = 1) over NHWC activations: the patchify / overlapping stems
// and the 2x2 stride-2 downsampling convolutions.
//
//   out[n, ho, wo, co] = bias[co] + sum_{kh, kw, ci} in[n, ho*S - P + kh, wo*S - P + kw, ci] * w[kh, kw, ci, co]
//
// Weights are re-laid out at load time from PyTorch's [Cout, Cin, KH, KW] to [KH, KW, Cin, Cout]
// so neighbouring work-items (consecutive co) read consecutive weights.
// Global size: (Cout, Wo, N * Ho), each work-item one output element.

#ifndef HAS_BIAS
#define HAS_BIAS 1
#endif
#ifndef ACT
#define ACT ACT_NONE
#endif

__kernel void conv2d(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                     __global DATA_T* out, int H, int W, int Cin, int Cout, int Ho, int Wo,
                     int KH, int KW, int stride, int pad_h, int pad_w, int rows) {
    const int co = get_global_id(0);
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (co >= Cout || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float acc = 0.0f;
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh;
        if (hi < 0 || hi >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
            const int wi = wo * stride - pad_w + kw;
            if (wi < 0 || wi >= W) continue;
            const int ib = ((n * H + hi) * W + wi) * Cin;
            const int wb = (kh * KW + kw) * Cin * Cout + co;
            for (int ci = 0; ci < Cin; ci++) acc = fma(LD(in, ib + ci), LD(w, wb + ci * Cout), acc);
        }
    }
#if HAS_BIAS
    acc += LD(bias, co);
#endif
    ST(out, (nho * Wo + wo) * Cout + co, edgecl_act(acc, ACT));
}

// Four output channels per work-item (Cout a multiple of 4): each input value read feeds four
// FMAs and the weights come in as one float4. Global size: (Cout / 4, Wo, N * Ho).
__kernel void conv2d_c4(__global const DATA_T* in, __global const DATA_T* w, __global const DATA_T* bias,
                        __global DATA_T* out, int H, int W, int Cin, int Cout, int Ho, int Wo,
                        int KH, int KW, int stride, int pad_h, int pad_w, int rows) {
    const int co = get_global_id(0) * 4;
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (co >= Cout || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float4 acc = (float4)(0.0f);
    for (int kh = 0; kh < KH; kh++) {
        const int hi = ho * stride - pad_h + kh;
        if (hi < 0 || hi >= H) continue;
        for (int kw = 0; kw < KW; kw++) {
            const int wi = wo * stride - pad_w + kw;
            if (wi < 0 || wi >= W) continue;
            const int ib = ((n * H + hi) * W + wi) * Cin;
            const int wb = (kh * KW + kw) * Cin * Cout + co;
            for (int ci = 0; ci < Cin; ci++) {
                const int q = wb + ci * Cout;
                const float4 wv = (float4)(LD(w, q), LD(w, q + 1), LD(w, q + 2), LD(w, q + 3));
                acc = fma((float4)(LD(in, ib + ci)), wv, acc);
            }
        }
    }
    float r[4] = {acc.x, acc.y, acc.z, acc.w};
    const int ob = (nho * Wo + wo) * Cout + co;
    for (int j = 0; j < 4; j++) {
        float v = r[j];
#if HAS_BIAS
        v += LD(bias, co + j);
#endif
        ST(out, ob + j, edgecl_act(v, ACT));
    }
}
