// Micro-kernels that measure a device's peak arithmetic rate and memory bandwidth, so the
// profiler can say how far each kernel is from the limit.
//
// peak_flops: each work-item runs PEAK_ITERS iterations of PEAK_CHAINS independent FMA chains
// of floatPEAK_VW (2 * PEAK_CHAINS * PEAK_VW flops per iteration). Eight chains are exactly FMA
// latency x issue width on a core with two 4-cycle FMA pipes, so any stall showed as a lower
// "peak" (6-23% below sixteen chains on a Xeon); sixteen leave slack where there are 32 vector
// registers, but on AVX2's 16 they spill (two chains to the stack and back every iteration on
// a Zen 3: 21 of its 32 flops per cycle), so the host measures 8, 12 and 16.
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
#ifndef PEAK_CHAINS
#define PEAK_CHAINS 16
#endif
#define peakV FLOATN(PEAK_VW)

__kernel void peak_flops(__global float* out, float seed) {
    const peakV base = (peakV)(seed + get_global_id(0));
    peakV a[PEAK_CHAINS];
    _Pragma("unroll") for (int j = 0; j < PEAK_CHAINS; j++) a[j] = base + (float)j;
    const peakV m = (peakV)(0.9999f), c = (peakV)(0.0001f);
    for (int i = 0; i < PEAK_ITERS; i++) {
        _Pragma("unroll") for (int j = 0; j < PEAK_CHAINS; j++) a[j] = fma(a[j], m, c);
    }
    peakV s = a[0];
    _Pragma("unroll") for (int j = 1; j < PEAK_CHAINS; j++) s += a[j];
    out[get_global_id(0)] = dot(s.s0123, (float4)(1.0f));
}

__kernel void peak_copy(__global const float4* in, __global float4* out, int n) {
    const int i = get_global_id(0);
    if (i < n) out[i] = in[i];
}
