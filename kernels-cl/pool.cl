// Global average pooling of NHWC activations: out[n, c] = mean over H*W of in[n, :, :, c].
// Global size: (C, N).
__kernel void global_avgpool(__global const DATA_T* in, __global DATA_T* out, int HW, int C) {
    const int c = get_global_id(0);
    const int n = get_global_id(1);
    if (c >= C) return;
    float s = 0.0f;
    for (int p = 0; p < HW; p++) s += LD(in, (n * HW + p) * C + c);
    ST(out, n * C + c, s / (float) HW);
}

// k x k pooling with stride and symmetric zero padding over NHWC: average (padding counted in
// the divisor when count_include_pad, as PyTorch's default) or max (padding ignored).
// Global size: (C, Wo, N * Ho).
__kernel void pool2d(__global const DATA_T* in, __global DATA_T* out, int H, int W, int C, int Ho, int Wo,
                     int k, int stride, int pad, int is_max, int count_include_pad, int rows) {
    const int c = get_global_id(0);
    const int wo = get_global_id(1);
    const int nho = get_global_id(2);
    if (c >= C || wo >= Wo || nho >= rows) return;
    const int n = nho / Ho, ho = nho % Ho;
    float acc = is_max ? -INFINITY : 0.0f;
    int count = 0;
    for (int kh = 0; kh < k; kh++) {
        const int hi = ho * stride - pad + kh;
        for (int kw = 0; kw < k; kw++) {
            const int wi = wo * stride - pad + kw;
            const bool inside = hi >= 0 && hi < H && wi >= 0 && wi < W;
            if (inside) {
                const float v = LD(in, ((n * H + hi) * W + wi) * C + c);
                acc = is_max ? fmax(acc, v) : acc + v;
                count++;
            } else if (count_include_pad && hi < H + pad && wi < W + pad) {
                count++;
            }
        }
    }
    if (!is_max) acc /= (float) max(count, 1);
    ST(out, (nho * Wo + wo) * C + c, acc);
}
