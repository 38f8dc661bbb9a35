package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernels stay within OpenCL C 1.2, which every board's driver compiles: no OpenCL 2.x
 * built-ins (sub-groups, work-group collectives, pipes, device-side enqueue, the generic address
 * space, C11 atomics, SVM) in any source, and each program builds with -cl-std=CL1.2 (the context
 * passes it on every device that reports OpenCL C 1.2 or later; selftest builds every variant).
 */
class OpenCl12Test {
    static final Pattern FORBIDDEN = Pattern.compile("\\b(sub_group_\\w+|get_sub_group_\\w+|work_group_(reduce|scan|"
            + "broadcast|all|any)\\w*|get_enqueued_local_size|enqueue_kernel|read_pipe|write_pipe|__generic|"
            + "to_global|to_local|to_private|atomic_(load|store|fetch_\\w+|exchange|compare_exchange_\\w+|init)|"
            + "memory_scope_\\w+|ndrange_[123]D|cl_khr_subgroups)\\b");

    @Test
    void noKernelUsesOpenCl2Features() throws IOException {
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("kernels-cl"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".cl")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String code = lines.get(i).replaceAll("//.*", "");
                    Matcher m = FORBIDDEN.matcher(code);
                    if (m.find()) hits.add(f.getFileName() + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        assertTrue(hits.isEmpty(), "OpenCL 2.x features in the kernels: " + hits);
    }

    /**
     * Every file in every precision, fp16 (half arithmetic) included, through clang's OpenCL C 1.2
     * front end with cl_khr_fp16 on: no device here computes half, so this is what keeps the
     * fp16 sources compiling. Without the extension the fp16 build must fail (the check can fail).
     * clang reads each file as it is, its headers found by -I kernels-cl: their include guards
     * are what keeps a header included twice from redefining its functions.
     */
    @Test
    void everyPrecisionCompilesWithClangsOpenClFrontEnd() throws Exception {
        String clang = findClang();
        if (clang == null) {
            io.edgecl.TestSupport.skip("no clang with an OpenCL front end (PoCL's dependency clang-15 on Debian 12) "
                    + "to compile the fp16 kernels");
        }
        List<String> failures = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("kernels-cl"))) {
            for (Path f : files.filter(
                            p -> p.toString().endsWith(".cl") && !p.toString().endsWith(".h.cl"))
                    .sorted()
                    .toList()) {
                String name = f.getFileName().toString();
                for (int p = 0; p <= 2; p++) {
                    String out = clang(clang, f, p, true);
                    if (out != null) failures.add(name + " EDGECL_PRECISION=" + p + ": " + out);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        Path ew = Path.of("kernels-cl", "elementwise.cl");
        assertTrue(clang(clang, ew, 2, false) != null, "fp16 without cl_khr_fp16 must not compile");
    }

    /** null when clang accepts the file, else its first error line. */
    private static String clang(String clang, Path src, int precision, boolean fp16) throws Exception {
        Process p = new ProcessBuilder(
                        clang,
                        "-x",
                        "cl",
                        "-cl-std=CL1.2",
                        "-Xclang",
                        "-finclude-default-header",
                        "-Xclang",
                        "-cl-ext=" + (fp16 ? "+" : "-") + "cl_khr_fp16",
                        "-target",
                        "spir64",
                        "-fsyntax-only",
                        "-DEDGECL_PRECISION=" + precision,
                        "-I",
                        "kernels-cl",
                        src.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() == 0) return null;
        for (String line : out.split("\n")) if (line.contains("error")) return line;
        return out;
    }

    @Test
    void everyKernelFileBuildsAsOpenCl12() throws IOException {
        ClContext ctx = io.edgecl.TestSupport.context();
        assertTrue(ctx.buildOptions(java.util.Map.of()).contains("-cl-std=CL1.2"), "the build options name CL1.2");
        try (Stream<Path> files = Files.list(Path.of("kernels-cl"))) {
            for (Path f : files.filter(
                            p -> p.toString().endsWith(".cl") && !p.toString().endsWith(".h.cl"))
                    .sorted()
                    .toList()) {
                String name = f.getFileName().toString();
                // the default defines of each file (its #ifndef defaults); every variant is built by selftest
                ctx.programFromSource(name + " (CL1.2 check)", KernelSources.program(name), "-cl-std=CL1.2");
            }
        }
    }

    /**
     * A clang to compile OpenCL C with: the newest versioned one in /usr/bin or /usr/local/bin
     * (clang-14 … clang-30; PoCL brings its own version), else the unversioned one on PATH.
     */
    static String findClang() {
        for (int v = 30; v >= 14; v--) {
            for (String dir : List.of("/usr/bin/", "/usr/local/bin/")) {
                if (Files.isExecutable(Path.of(dir + "clang-" + v))) return dir + "clang-" + v;
            }
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "clang")))
                return Path.of(dir, "clang").toString();
        }
        return null;
    }
}
