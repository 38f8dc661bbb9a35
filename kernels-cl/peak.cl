// Micro-kernels that measure a device's peak arithmetic rate and memory bandwidth, so the
// profiler can say how far each kernel is from the limit.
//
// peak_flops: each work-item runs PEAK_ITERS iterations of 8 independent FMA chains (16 flops
// per iteration per chain pair), enough independent work to hide FMA latency.
// peak_copy: a float4 streaming copy; bytes moved = 2 * 16 * n.

#ifndef PEAK_ITERS
#define PEAK_ITERS 256
#endif

__kernel void peak_flops(__global float* out, float seed) {
    float a0 = seed + get_global_id(0), a1 = a0 + 1.0f, a2 = a0 + 2.0f, a3 = a0 + 3.0f;
    float a4 = a0 + 4.0f, a5 = a0 + 5.0f, a6 = a0 + 6.0f, a7 = a0 + 7.0f;
    const float m = 0.9999f, c = 0.0001f;
    for (int i = 0; i < PEAK_ITERS; i++) {
        a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
        a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    }
    out[get_global_id(0)] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}

__kernel void peak_copy(__global const float4* in, __global float4* out, int n) {
    const int i = get_global_id(0);
    if (i < n) out[i] = in[i];
}
