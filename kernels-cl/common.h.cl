// EdgeCL common header: every kernel file includes it (#include "common.h.cl").
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
#ifndef EDGECL_COMMON_H_CL
#define EDGECL_COMMON_H_CL

#ifndef EDGECL_PRECISION
#define EDGECL_PRECISION 0
#endif

// Vectors: kernels take their vector width as a build option (PANEL_VW, DW_VW, ...) and compute
// in float whatever the storage. FLOATN(n) is the type of n floats; LDN(n, p, i) reads
// p[i .. i + n - 1] as one, STN(n, p, i, v) writes v there (n = 2, 4, 8 or 16, a literal or a
// macro); LD4 and ST4 are their 4-lane forms.
#define EDGECL_CAT_(a, b) a##b
#define EDGECL_CAT(a, b) EDGECL_CAT_(a, b)
#define FLOATN(n) EDGECL_CAT(float, n)

#if EDGECL_PRECISION == 0
#define DATA_T float
#define LD(p, i) ((p)[(i)])
#define ST(p, i, v) ((p)[(i)] = (v))
#define LDN(n, p, i) EDGECL_CAT(vload, n)(0, (p) + (i))
#define STN(n, p, i, v) EDGECL_CAT(vstore, n)((v), 0, (p) + (i))
#elif EDGECL_PRECISION == 1 || EDGECL_PRECISION == 2
#define DATA_T half
#define LD(p, i) vload_half((i), (p))
#define ST(p, i, v) vstore_half((v), (i), (p))
#define LDN(n, p, i) EDGECL_CAT(vload_half, n)(0, (p) + (i))
#define STN(n, p, i, v) EDGECL_CAT(vstore_half, n)((v), 0, (p) + (i))
#else
#error "EDGECL_PRECISION must be 0 (fp32), 1 (fp16 storage) or 2 (fp16)"
#endif
#define LD4(p, i) LDN(4, p, i)
#define ST4(p, i, v) STN(4, p, i, v)

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
#define LDC4(p, i) LD4(p, i)
#define STC(p, i, v) ST(p, i, v)
#define STC4(p, i, v) ST4(p, i, v)
#endif

// Helpers that take a kernel's accumulator array by pointer must be inlined, or the compiler
// keeps the array in memory and stores it after every FMA (PoCL's LLVM left the larger ones as
// calls). Clang-based compilers honour always_inline; others get a plain inline.
#ifdef __clang__
#define EDGECL_INLINE inline __attribute__((always_inline))
#else
#define EDGECL_INLINE inline
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

// erf for GELU. The built-in erf is exact to the last bit but slow on CPU runtimes (a scalar
// call per lane); EDGECL_ERF 1 selects a rational form that vectorises: erf(x) = y * P(y^2) /
// Q(y^2) with y = x clamped to +-3.92, where erf rounds to +-1 in float. P and Q (degree 5 each)
// are a weighted least-squares fit of erf(x)/x on [0, 3.92]; evaluated in float the absolute
// error is below 3.1e-7 (checked against a 50-digit erf), well under GELU's fp32 tolerance.
#ifndef EDGECL_ERF
#define EDGECL_ERF 0
#endif

// exp for SiLU, sigmoid and softmax. A SiLU epilogue cost more than its K = 16 GEMM on PoCL;
// EDGECL_EXP 1 selects a form of a dozen vector instructions: exp(x) = 2^n * e^r with n = x / ln 2
// rounded (by adding 1.5 * 2^23), r = x - n ln 2 (ln 2 split in two so r is exact), e^r by a
// degree-5 polynomial 1 + r + c2 r^2 + ... + c5 r^5 on |r| <= ln 2 / 2 (c2..c5 a minimax fit of
// the relative error; evaluated in float the relative error is below 1.8e-7, about 1.5 ulp:
// ExpKernelTest; two FMAs fewer than the Taylor series to r^7, which SiLU's cost showed), 2^n
// written into the exponent bits. x is clamped to [-88, 88]: below about -87.7 (-inf included,
// as softmax's masked lanes pass) n is -127 and the result exactly 0, as exp underflows in float.
#ifndef EDGECL_EXP
#define EDGECL_EXP 0
#endif
#if EDGECL_EXP == 1
#define EDGECL_EXP_BODY(T, IT) \
        const T y = clamp(x, -88.0f, 88.0f); \
        const T t = fma(y, (T)(1.44269504088896341f), (T)(12582912.0f)); /* 1.5 * 2^23: rounds to an integer */ \
        const T n = t - 12582912.0f; \
        T r = fma(n, (T)(-0.693145751953125f), y); \
        r = fma(n, (T)(-1.428606820309417e-06f), r); \
        T p = fma(r, (T)(8.312525228e-03f), (T)(4.189011455e-02f)); \
        p = fma(p, r, (T)(1.666711420e-01f)); \
        p = fma(p, r, (T)(4.999923110e-01f)); \
        p = fma(p, r, (T)(1.0f)); \
        p = fma(p, r, (T)(1.0f)); \
        return p * as_##T((as_##IT(t) - 0x4B400000 + 127) << 23); /* n sits in t's low mantissa bits */
#else
#define EDGECL_EXP_BODY(T, IT) return exp(x);
#endif

// Defines edgecl_erf_T(x), edgecl_exp_T(x) and edgecl_act_T(x, act) for the float type T (float,
// float4, float8, float16; IT the int type of its width): every kernel applies the same
// activation whatever its vector width, so a vector epilogue and its scalar edge agree to the bit.
#define EDGECL_DEFINE_ACT(T, IT) \
    inline T edgecl_erf_##T(T x) { \
        EDGECL_ERF_BODY(T) \
    } \
    inline T edgecl_exp_##T(T x) { \
        EDGECL_EXP_BODY(T, IT) \
    } \
    inline T edgecl_act_##T(T x, int act) { \
        switch (act) { \
            case ACT_GELU: return 0.5f * x * (1.0f + edgecl_erf_##T(x * EDGECL_SQRT1_2)); /* erf form, as PyTorch's default */ \
            case ACT_RELU: return fmax(x, 0.0f); \
            case ACT_RELU6: return clamp(x, 0.0f, 6.0f); \
            case ACT_HSWISH: return x * clamp(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f); \
            case ACT_SILU: return x / (1.0f + edgecl_exp_##T(-x)); \
            case ACT_HSIGMOID: return clamp(x + 3.0f, 0.0f, 6.0f) * (1.0f / 6.0f); \
            case ACT_SIGMOID: return 1.0f / (1.0f + edgecl_exp_##T(-x)); \
            default: return x; \
        } \
    }

#if EDGECL_ERF == 1
#define EDGECL_ERF_BODY(T) \
        const T y = clamp(x, -3.92f, 3.92f); \
        const T z = y * y; \
        T p = fma(z, (T)(2.050098465e-06f), (T)(2.848812525e-04f)); \
        p = fma(p, z, (T)(3.765553782e-03f)); \
        p = fma(p, z, (T)(5.274853182e-02f)); \
        p = fma(p, z, (T)(1.904050006e-01f)); \
        p = fma(p, z, (T)(1.128379146e+00f)); \
        T q = fma(z, (T)(3.809175254e-05f), (T)(1.162520008e-03f)); \
        q = fma(q, z, (T)(1.496909160e-02f)); \
        q = fma(q, z, (T)(1.141085074e-01f)); \
        q = fma(q, z, (T)(5.020747799e-01f)); \
        q = fma(q, z, (T)(1.0f)); \
        return y * p / q;
#else
#define EDGECL_ERF_BODY(T) return erf(x);
#endif

EDGECL_DEFINE_ACT(float, int)
EDGECL_DEFINE_ACT(float4, int4)
EDGECL_DEFINE_ACT(float8, int8)
EDGECL_DEFINE_ACT(float16, int16)

#define edgecl_erf(x) edgecl_erf_float(x)
#define edgecl_erf4(x) edgecl_erf_float4(x)
#define edgecl_act(x, act) edgecl_act_float((x), (act))
#define edgecl_act4(x, act) edgecl_act_float4((x), (act))
// The same on FLOATN(n) (n = 4, 8 or 16, a literal or a macro).
#define edgecl_actn(n, x, act) EDGECL_CAT(edgecl_act_, FLOATN(n))((x), (act))
#define edgecl_expn(n, x) EDGECL_CAT(edgecl_exp_, FLOATN(n))(x)

// Sum and maximum of the lanes of a float vector, halving it until two lanes are left: a tree
// of additions, better rounded than a running sum.
inline float edgecl_hsum_float4(float4 v) {
    const float2 a = v.lo + v.hi;
    return a.x + a.y;
}
inline float edgecl_hsum_float8(float8 v) { return edgecl_hsum_float4(v.lo + v.hi); }
inline float edgecl_hsum_float16(float16 v) { return edgecl_hsum_float8(v.lo + v.hi); }
inline float edgecl_hmax_float4(float4 v) {
    const float2 a = fmax(v.lo, v.hi);
    return fmax(a.x, a.y);
}
inline float edgecl_hmax_float8(float8 v) { return edgecl_hmax_float4(fmax(v.lo, v.hi)); }
inline float edgecl_hmax_float16(float16 v) { return edgecl_hmax_float8(fmax(v.lo, v.hi)); }
#define edgecl_hsumn(n, v) EDGECL_CAT(edgecl_hsum_, FLOATN(n))(v)
#define edgecl_hmaxn(n, v) EDGECL_CAT(edgecl_hmax_, FLOATN(n))(v)

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

#endif // EDGECL_COMMON_H_CL
