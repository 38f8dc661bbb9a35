// Micro-kernels that measure a device's peak arithmetic rate and memory bandwidth, so the
// profiler can say how far each kernel is from the limit.
//
// peak_flops: each work-item runs PEAK_ITERS iterations of 16 independent FMA chains of
// floatPEAK_VW (32 * PEAK_VW flops per iteration). Eight chains are exactly FMA latency x issue
// width on a core with two 4-cycle FMA pipes, so any stall showed as a lower "peak" (6-23% below
// sixteen chains on a Xeon); sixteen leave slack.
// The vector type sets the instruction width on CPU runtimes (PoCL turns float4 into 128-bit
// and float16 into 512-bit FMAs, and does not widen scalar code), so the host measures every
// width up to the device's preferred one and keeps the fastest: the true ceiling.
// peak_copy: a float4 streaming copy; bytes moved = 2 * 16 * n.

#include "common.h.cl"

#ifndef PEAK_ITERS
#define PEAK_ITERS 256
#endif
#ifndef PEAK_VW
#define PEAK_VW 4
#endif
#define peakV FLOATN(PEAK_VW)

__kernel void peak_flops(__global float* out, float seed) {
    const peakV base = (peakV)(seed + get_global_id(0));
    peakV a0 = base, a1 = base + 1.0f, a2 = base + 2.0f, a3 = base + 3.0f;
    peakV a4 = base + 4.0f, a5 = base + 5.0f, a6 = base + 6.0f, a7 = base + 7.0f;
    peakV a8 = base + 8.0f, a9 = base + 9.0f, a10 = base + 10.0f, a11 = base + 11.0f;
    peakV a12 = base + 12.0f, a13 = base + 13.0f, a14 = base + 14.0f, a15 = base + 15.0f;
    const peakV m = (peakV)(0.9999f), c = (peakV)(0.0001f);
    for (int i = 0; i < PEAK_ITERS; i++) {
        a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
        a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
        a8 = fma(a8, m, c); a9 = fma(a9, m, c); a10 = fma(a10, m, c); a11 = fma(a11, m, c);
        a12 = fma(a12, m, c); a13 = fma(a13, m, c); a14 = fma(a14, m, c); a15 = fma(a15, m, c);
    }
    const peakV s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
    out[get_global_id(0)] = dot(s.s0123, (float4)(1.0f));
}

__kernel void peak_copy(__global const float4* in, __global float4* out, int n) {
    const int i = get_global_id(0);
    if (i < n) out[i] = in[i];
}
