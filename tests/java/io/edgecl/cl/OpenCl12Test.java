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
            for (Path f : files.filter(p -> p.toString().endsWith(".cl")).sorted().toList()) {
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

    @Test
    void everyKernelFileBuildsAsOpenCl12() throws IOException {
        ClContext ctx = io.edgecl.TestSupport.context();
        assertTrue(ctx.buildOptions(java.util.Map.of()).contains("-cl-std=CL1.2"), "the build options name CL1.2");
        try (Stream<Path> files = Files.list(Path.of("kernels-cl"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cl") && !p.toString().endsWith(".h.cl"))
                    .sorted().toList()) {
                String name = f.getFileName().toString();
                // the default defines of each file (its #ifndef defaults); every variant is built by selftest
                String[] parts = name.equals("gemm.cl") || name.equals("conv2d.cl")
                        ? new String[] {"panel.h.cl", name} : new String[] {name};
                ctx.programFromSource(name + " (CL1.2 check)", KernelSources.program(parts), "-cl-std=CL1.2");
            }
        }
    }
}
