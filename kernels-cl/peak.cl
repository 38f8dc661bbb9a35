// Micro-kernels that measure a device's peak arithmetic rate and memory bandwidth, so the
// profiler can say how far each kernel is from the limit.
//
// peak_flops: each work-item runs PEAK_ITERS iterations of 8 independent float4 FMA chains
// (64 flops per iteration): enough independent work to hide FMA latency, in the vector width
// CPU runtimes and most GPUs' compilers map straight onto SIMD lanes.
// peak_copy: a float4 streaming copy; bytes moved = 2 * 16 * n.

#ifndef PEAK_ITERS
#define PEAK_ITERS 256
#endif

__kernel void peak_flops(__global float* out, float seed) {
    const float4 base = (float4)(seed + get_global_id(0)) + (float4)(0.0f, 0.1f, 0.2f, 0.3f);
    float4 a0 = base, a1 = base + 1.0f, a2 = base + 2.0f, a3 = base + 3.0f;
    float4 a4 = base + 4.0f, a5 = base + 5.0f, a6 = base + 6.0f, a7 = base + 7.0f;
    const float4 m = (float4)(0.9999f), c = (float4)(0.0001f);
    for (int i = 0; i < PEAK_ITERS; i++) {
        a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
        a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
    }
    const float4 s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    out[get_global_id(0)] = s.x + s.y + s.z + s.w;
}

__kernel void peak_copy(__global const float4* in, __global float4* out, int n) {
    const int i = get_global_id(0);
    if (i < n) out[i] = in[i];
}
