package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel file builds on the device as OpenCL C 1.2 with its defaults, in both storage
 * precisions, and describes itself (a header comment; tunables behind #ifndef).
 */
class KernelSourcesTest {
    /** Macros computed from the tunables or naming a type, not tunables themselves. */
    private static final java.util.Set<String> DERIVED = java.util.Set.of(
            "PANEL_W",
            "floatV",
            "PANEL_FMA_ROW",
            "peakV",
            "dwvec",
            "dvec",
            "CONV_IN_T",
            "DWG_LD",
            "XCA_DQ",
            "DW_COLS",
            "lnV",
            "poolV",
            "POOL_OUT_T",
            "MH_NV",
            "MH_DP",
            "XG_NB",
            "XG_W",
            "XG_PART",
            "XG_LANES",
            "PANEL_EPI_ACT",
            "PANEL_EPI_BIAS",
            "PANEL_EPI_GAMMA",
            "PANEL_EPI_RESIDUAL",
            "xvec",
            "XDW_MAXK",
            "XDW_W",
            "XDW_EXPAND",
            "XDW_RING",
            "sevec",
            "SE_IN_T",
            "SE_LD",
            "SE_LDN");

    static Stream<String> files() throws IOException {
        try (Stream<Path> s = Files.list(Paths.get("kernels-cl"))) {
            List<String> names = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cl") && !n.equals("common.h.cl"))
                    .sorted()
                    .toList();
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void buildsInBothPrecisions(String file) throws IOException {
        ClContext ctx = TestSupport.context();
        String src = Files.readString(Paths.get("kernels-cl", file));
        ctx.program(Map.of(), file);
        ctx.program(Map.of("EDGECL_PRECISION", "1"), file);
        assertTrue(src.startsWith("//"), file + " starts with a header comment");
        assertTrue(src.contains("#include \"common.h.cl\""), file + " includes common.h.cl");
        for (String line : src.lines().toList()) {
            String t = line.strip();
            if (t.startsWith("#define ") && !t.startsWith("#define LD") && !t.startsWith("#define ST")) {
                String name = t.split("\\s+")[1].replaceAll("\\(.*", "");
                boolean guarded = src.contains("#ifndef " + name);
                boolean derived = name.startsWith("GEMM_L")
                        || name.equals("GEMM_THREADS")
                        || name.equals("LDA")
                        || DERIVED.contains(name);
                assertTrue(guarded || derived, file + ": tunable " + name + " has an #ifndef default");
            }
        }
        assertFalse(src.contains("cl_khr_fp64"), file + " needs no double precision");
    }

    /**
     * A program of some kernels of a file keeps exactly those: every __kernel of every file is
     * found by the cutter (a kernel it missed would stay in every program, one it cut wrongly
     * would not build), and each one alone builds and is the only kernel in its program.
     */
    @ParameterizedTest
    @MethodSource("files")
    void eachKernelBuildsInAProgramOfItsOwn(String file) throws IOException {
        String src = Files.readString(Paths.get("kernels-cl", file));
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?m)^__kernel\\b").matcher(src);
        int declared = 0;
        while (m.find()) declared++;
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.regex.Matcher n = java.util.regex.Pattern.compile("(?s)__kernel\\b.*?void\\s+(\\w+)\\s*\\(")
                .matcher(src);
        while (n.find()) names.add(n.group(1));
        org.junit.jupiter.api.Assertions.assertEquals(declared, names.size(), file + ": kernels " + names);
        assertTrue(
                KernelSources.only(src, java.util.List.of(), file).indexOf("__kernel") < 0,
                file + ": no kernel is left when none is kept");
        ClContext ctx = TestSupport.context();
        for (String k : names) {
            String one = KernelSources.only(src, java.util.List.of(k), file);
            org.junit.jupiter.api.Assertions.assertEquals(1, one.split("__kernel\\b", -1).length - 1, file + " " + k);
            ctx.kernel(Map.of(), k, file).close();
        }
    }
}
