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
