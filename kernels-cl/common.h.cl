// EdgeCL common header, prepended to every program.
//
// Precision: one macro selects how activations and weights are stored.
//   EDGECL_PRECISION 0  fp32 storage, fp32 arithmetic (default; reference-exact)
//   EDGECL_PRECISION 1  fp16 storage (vload_half/vstore_half, OpenCL 1.2 core), fp32 arithmetic
//   EDGECL_PRECISION 2  fp16 storage and half arithmetic (cl_khr_fp16) where the kernel uses
//                       COMPUTE_T (element-wise work and activations); the host selects it
//                       only on devices that report cl_khr_fp16
// Kernels read with LD(p, i) and write with ST(p, i, v); they compute in float, or in COMPUTE_T
// where half is accurate enough. Reductions (LayerNorm statistics, softmax, GEMM and convolution
// accumulators) always accumulate in float.
#ifndef EDGECL_PRECISION
#define EDGECL_PRECISION 0
#endif

#if EDGECL_PRECISION == 0
#define DATA_T float
#define LD(p, i) ((p)[(i)])
#define ST(p, i, v) ((p)[(i)] = (v))
#elif EDGECL_PRECISION == 1 || EDGECL_PRECISION == 2
#define DATA_T half
#define LD(p, i) vload_half((i), (p))
#define ST(p, i, v) vstore_half((v), (i), (p))
#else
#error "EDGECL_PRECISION must be 0 (fp32), 1 (fp16 storage) or 2 (fp16)"
#endif

// The arithmetic type of element-wise work: half in mode 2, else float. LDC reads a value as it.
#if EDGECL_PRECISION == 2
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#define COMPUTE_T half
#define COMPUTE4_T half4
#define LDC(p, i) ((p)[(i)])
#define LDC4(p, i) vload4(0, (p) + (i))
#define STC(p, i, v) ((p)[(i)] = (v))
#define STC4(p, i, v) vstore4((v), 0, (p) + (i))
#else
#define COMPUTE_T float
#define COMPUTE4_T float4
#define LDC(p, i) LD(p, i)
#if EDGECL_PRECISION == 0
#define LDC4(p, i) vload4(0, (p) + (i))
#define STC4(p, i, v) vstore4((v), 0, (p) + (i))
#else
#define LDC4(p, i) vload_half4(0, (p) + (i))
#define STC4(p, i, v) vstore_half4((v), 0, (p) + (i))
#endif
#define STC(p, i, v) ST(p, i, v)
#endif

// Activation codes shared by every kernel with an activation epilogue.
#define ACT_NONE 0
#define ACT_GELU 1
#define ACT_RELU 2
#define ACT_RELU6 3
#define ACT_HSWISH 4
#define ACT_SILU 5
#define ACT_HSIGMOID 6
#define ACT_SIGMOID 7

#define EDGECL_SQRT1_2 0.70710678118654752440f

// erf for GELU. The built-in erf is exact to the last bit but slow on some CPU runtimes;
// EDGECL_ERF 1 selects a rational approximation (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7,
// below float resolution for GELU's output), 0 the built-in.
#ifndef EDGECL_ERF
#define EDGECL_ERF 0
#endif

inline float edgecl_erf(float x) {
#if EDGECL_ERF == 1
    const float ax = fabs(x);
    const float t = 1.0f / fma(0.3275911f, ax, 1.0f);
    const float poly = t * fma(t, fma(t, fma(t, fma(t, 1.061405429f, -1.453152027f), 1.421413741f), -0.284496736f),
                               0.254829592f);
    const float y = 1.0f - poly * exp(-ax * ax);
    return copysign(y, x);
#else
    return erf(x);
#endif
}

// Four lanes at once: CPU runtimes turn the vector exp/erf into one SIMD call, where a scalar
// epilogue inside a loop is not vectorised.
inline float4 edgecl_erf4(float4 x) {
#if EDGECL_ERF == 1
    const float4 ax = fabs(x);
    const float4 t = 1.0f / fma((float4)(0.3275911f), ax, (float4)(1.0f));
    const float4 poly = t * fma(t, fma(t, fma(t, fma(t, (float4)(1.061405429f), (float4)(-1.453152027f)),
                                                 (float4)(1.421413741f)), (float4)(-0.284496736f)),
                                (float4)(0.254829592f));
    return copysign(1.0f - poly * exp(-ax * ax), x);
#else
    return erf(x);
#endif
}

inline float4 edgecl_act4(float4 x, int act) {
    switch (act) {
        case ACT_GELU: return 0.5f * x * (1.0f + edgecl_erf4(x * EDGECL_SQRT1_2));
        case ACT_RELU: return fmax(x, 0.0f);
        case ACT_RELU6: return clamp(x, 0.0f, 6.0f);
        case ACT_HSWISH: return x * clamp(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
        case ACT_SILU: return x / (1.0f + exp(-x));
        case ACT_HSIGMOID: return clamp(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
        case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
        default: return x;
    }
}

inline float edgecl_act(float x, int act) {
    switch (act) {
        case ACT_GELU: return 0.5f * x * (1.0f + edgecl_erf(x * EDGECL_SQRT1_2)); // erf form, as PyTorch's default
        case ACT_RELU: return fmax(x, 0.0f);
        case ACT_RELU6: return clamp(x, 0.0f, 6.0f);
        case ACT_HSWISH: return x * clamp(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
        case ACT_SILU: return x / (1.0f + exp(-x));
        case ACT_HSIGMOID: return clamp(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f);
        case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
        default: return x;
    }
}

// The activations in COMPUTE_T (half in mode 2): element-wise kernels apply them without
// leaving the arithmetic type.
#if EDGECL_PRECISION == 2
inline half edgecl_act_c(half x, int act) {
    switch (act) {
        case ACT_GELU: return (half)0.5f * x * ((half)1.0f + erf(x * (half)EDGECL_SQRT1_2));
        case ACT_RELU: return fmax(x, (half)0.0f);
        case ACT_RELU6: return clamp(x, (half)0.0f, (half)6.0f);
        case ACT_HSWISH: return x * clamp(x + (half)3.0f, (half)0.0f, (half)6.0f) * (half)(1.0f / 6.0f);
        case ACT_SILU: return x / ((half)1.0f + exp(-x));
        case ACT_HSIGMOID: return clamp(x + (half)3.0f, (half)0.0f, (half)6.0f) * (half)(1.0f / 6.0f);
        case ACT_SIGMOID: return (half)1.0f / ((half)1.0f + exp(-x));
        default: return x;
    }
}
#else
#define edgecl_act_c(x, act) edgecl_act((x), (act))
#endif
