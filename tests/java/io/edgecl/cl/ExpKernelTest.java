package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * common.h.cl's edgecl_exp, which SiLU, sigmoid and every softmax go through: the vector form
 * (EDGECL_EXP 1, the CPU default) and the built-in (0) against Java's exp over the whole float
 * range, in scalar and 16-lane form, with the underflow end (softmax's -inf lanes) exactly 0.
 */
class ExpKernelTest {
    static final String KERNEL = """
            __kernel void exp_test(__global const float* x, __global float* y, __global float* y16) {
                const int i = get_global_id(0);
                y[i] = edgecl_exp_float(x[i]);
                if (i % 16 == 0) vstore16(edgecl_exp_float16(vload16(0, x + i)), 0, y16 + i);
            }
            """;

    @ParameterizedTest
    @ValueSource(ints = {1, 0})
    void matchesJavaExp(int form) {
        ClContext ctx = TestSupport.context();
        int n = 16 * 1024;
        float[] x = new float[n];
        for (int i = 0; i < n - 32; i++) x[i] = -100f + 190f * i / (n - 33); // -100 .. 90
        float[] special = {
            Float.NEGATIVE_INFINITY,
            -1e30f,
            -88f,
            -87.7f,
            -87f,
            0f,
            -0f,
            1e-8f,
            -1e-8f,
            0.34657359f,
            -0.34657359f,
            0.6931472f,
            1f,
            -1f,
            88f,
            88.5f
        };
        System.arraycopy(special, 0, x, n - 32, special.length);
        for (int i = n - 32 + special.length; i < n; i++) x[i] = (i % 7) - 3.5f;
        String src = KernelSources.expand("exp_test.cl", "#include \"common.h.cl\"\n" + KERNEL);
        ClProgram p = ctx.programFromSource(
                "exp_test EDGECL_EXP=" + form,
                src,
                ctx.buildOptions(java.util.Map.of("EDGECL_EXP", String.valueOf(form))));
        try (ClBuffer dx = ctx.upload(x, "x");
                ClBuffer dy = ctx.alloc(4L * n, "y");
                ClBuffer dy16 = ctx.alloc(4L * n, "y16");
                ClKernel k = p.kernel("exp_test")) {
            k.arg(dx).arg(dy).arg(dy16);
            k.launch(new long[] {n}, null);
            float[] y = ctx.read(dy, n), y16 = ctx.read(dy16, n);
            double worst = 0;
            int compared = 0;
            for (int i = 0; i < n; i++) {
                // the same code at every width (the built-in's scalar and vector paths may differ)
                if (form == 1) {
                    assertEquals(
                            Float.floatToIntBits(y[i]),
                            Float.floatToIntBits(y16[i]),
                            "x = " + x[i] + ": scalar and vector forms differ");
                }
                double ref = Math.exp(x[i]);
                if (x[i] > 88f) continue; // past the clamp: exp(88) in the vector form, inf in the built-in
                if (ref < 1.2e-38) {
                    // float underflow: 0 (or a denormal from the built-in)
                    assertTrue(y[i] >= 0 && y[i] < 1.2e-38, "exp(" + x[i] + ") = " + y[i] + ", not ~0");
                    continue;
                }
                // both widths against the reference (in the built-in form they may take different paths)
                double rel = Math.max(Math.abs(y[i] - ref), Math.abs(y16[i] - ref)) / ref;
                worst = Math.max(worst, rel);
                assertTrue(
                        rel < 3e-7,
                        "exp(" + x[i] + ") = " + y[i] + " (16-lane " + y16[i] + "), expected " + ref
                                + " (relative error " + rel + ")");
                compared++;
            }
            if (form == 1) {
                assertEquals(0f, y[n - 32], "exp(-inf)");
                assertEquals(0f, y[n - 31], "exp(-1e30)");
                assertTrue(Float.isFinite(y[n - 17]) && y[n - 17] > 1e38f, "exp(88.5) clamps to exp(88)");
            }
            System.out.printf("edgecl_exp (EDGECL_EXP=%d): worst relative error %.2e%n", form, worst);
            // most of the range is compared (the rest is past the clamp or underflows), and not exactly
            assertTrue(compared > n / 2, "only " + compared + " of " + n + " values compared");
            assertTrue(worst > 0, "a float exp that is exact everywhere was not compared with a double one");
        }
    }
}
