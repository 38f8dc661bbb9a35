package io.edgecl.cl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel files' #include "…" lines, which KernelSources resolves before the compiler sees a
 * program: each header once, nested ones too, a cycle or a missing header an error that names
 * where, and a program's identity (its cache key) following every header it includes.
 */
class KernelIncludesTest {
    /** Files by name, as the loader of an expansion reads them; an absent one is missing. */
    private static Function<String, String> files(Map<String, String> files) {
        return f -> {
            String s = files.get(f);
            if (s == null) throw new EdgeClException("kernel source /kernels-cl/" + f + " is missing from the jar");
            return s;
        };
    }

    private static KernelSources.Expansion expand(String name, Map<String, String> files) {
        return KernelSources.expand(name, files.get(name), null, files(files));
    }

    private static int count(String s, String part) {
        return s.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void aHeaderIncludedTwiceIsExpandedOnce() {
        Map<String, String> f = Map.of(
                "k.cl", "#include \"a.h.cl\"\n#include \"a.h.cl\"\nint k;\n",
                "a.h.cl", "int a_body;\n");
        KernelSources.Expansion e = expand("k.cl", f);
        assertEquals(1, count(e.source(), "int a_body;"), e.source());
        assertEquals(List.of("a.h.cl", "k.cl"), e.files());
        assertTrue(e.source().indexOf("int a_body;") < e.source().indexOf("int k;"), "the header comes first");
    }

    @Test
    void nestedHeadersAreExpandedWhereTheyAreIncluded() {
        Map<String, String> f = Map.of(
                "k.cl", "#include \"b.h.cl\"\n  #  include \"a.h.cl\" // again, through b.h.cl already\nint k;\n",
                "b.h.cl", "#include \"a.h.cl\"\nint b_body;\n",
                "a.h.cl", "int a_body;\n");
        KernelSources.Expansion e = expand("k.cl", f);
        String s = e.source();
        assertEquals(1, count(s, "int a_body;"), s);
        assertTrue(
                s.indexOf("int a_body;") < s.indexOf("int b_body;") && s.indexOf("int b_body;") < s.indexOf("int k;"),
                s);
        assertEquals(List.of("a.h.cl", "b.h.cl", "k.cl"), e.files(), "headers first, in the order they are expanded");
        assertTrue(!s.contains("#include"), "no include is left for the compiler");
    }

    /**
     * Each file's lines keep their numbers: a #line directive opens every file and follows every
     * include, so the compiler's messages name the file and line of the mistake.
     */
    @Test
    void lineDirectivesPointAtEachFilesOwnLines() {
        Map<String, String> f = Map.of(
                "k.cl", "// k\n#include \"a.h.cl\"\nint k;\n",
                "a.h.cl", "int a;\nint a2;");
        String s = expand("k.cl", f).source();
        assertEquals("#line 1 \"k.cl\"\n// k\n#line 1 \"a.h.cl\"\nint a;\nint a2;\n#line 3 \"k.cl\"\nint k;\n", s);
    }

    /** The build log of a program with a mistake in a header names that header and the line. */
    @Test
    void aCompileErrorInAHeaderNamesTheHeaderAndLine() {
        Map<String, String> f = Map.of(
                "bad.cl",
                        "#include \"common.h.cl\"\n#include \"bad.h.cl\"\n__kernel void k(__global float* x) { x[0] = 1.0f; }\n",
                "bad.h.cl", "// a header\ninline float broken(void) { return no_such_name; }\n",
                "common.h.cl", KernelSources.load("common.h.cl"));
        String src = expand("bad.cl", f).source();
        ClContext ctx = TestSupport.context();
        ClBuildException e = assertThrows(ClBuildException.class, () -> ctx.programFromSource("bad.cl", src, ""));
        assertTrue(e.buildLog().contains("bad.h.cl:2:"), e.buildLog());
    }

    @Test
    void aMissingHeaderNamesTheIncludingFileAndLine() {
        Map<String, String> f = Map.of(
                "k.cl", "#include \"a.h.cl\"\nint k;\n",
                "a.h.cl", "// a\n\n#include \"nope.h.cl\"\n");
        EdgeClException e = assertThrows(EdgeClException.class, () -> expand("k.cl", f));
        assertTrue(e.getMessage().startsWith("a.h.cl:3: #include \"nope.h.cl\": "), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void anIncludeCycleIsAnErrorNamingTheFiles() {
        Map<String, String> f = Map.of(
                "k.cl", "#include \"a.h.cl\"\n",
                "a.h.cl", "#include \"b.h.cl\"\n",
                "b.h.cl", "int b;\n#include \"a.h.cl\"\n");
        EdgeClException e = assertThrows(EdgeClException.class, () -> expand("k.cl", f));
        assertTrue(e.getMessage().startsWith("b.h.cl:2: "), e.getMessage());
        assertTrue(e.getMessage().contains("a.h.cl -> b.h.cl -> a.h.cl"), e.getMessage());
        Map<String, String> self = Map.of("k.cl", "#include \"k.cl\"\n");
        assertTrue(assertThrows(EdgeClException.class, () -> expand("k.cl", self))
                .getMessage()
                .contains("k.cl -> k.cl"));
    }

    @Test
    void onlyQuotedFileNamesAreIncluded() {
        for (String inc : List.of("#include <common.h.cl>", "#include COMMON", "#include \"../common.h.cl\"")) {
            Map<String, String> f = Map.of("k.cl", "int k;\n" + inc + "\n");
            EdgeClException e = assertThrows(EdgeClException.class, () -> expand("k.cl", f), inc);
            assertTrue(e.getMessage().startsWith("k.cl:2: "), e.getMessage());
        }
    }

    /** Cutting a program down to some kernels keeps the line numbers of what is left. */
    @Test
    void cuttingKernelsKeepsLineNumbers() {
        String src =
                "// k\n__kernel void a(__global float* x) {\n    x[0] = 1.0f;\n}\n__kernel void b(__global float* x) {\n"
                        + "    x[0] = 2.0f;\n}\n";
        String cut = KernelSources.only(src, List.of("b"), "k.cl");
        assertEquals(src.lines().count(), cut.lines().count(), cut);
        assertTrue(cut.lines().toList().get(4).startsWith("__kernel void b"), cut);
    }

    /** The packaged kernels: gemm.cl's program holds its two headers, each once. */
    @Test
    void aKernelFileBringsItsHeaders() {
        assertEquals(List.of("common.h.cl", "panel.h.cl", "gemm.cl"), KernelSources.sources("gemm.cl"));
        assertEquals(List.of("common.h.cl", "elementwise.cl"), KernelSources.sources("elementwise.cl"));
        String p = KernelSources.program(List.of("gemm_panel"), "gemm.cl");
        assertEquals(1, count(p, "#define EDGECL_COMMON_H_CL"), "common.h.cl once");
        assertEquals(1, count(p, "#define EDGECL_PANEL_H_CL"), "panel.h.cl once");
        assertEquals(1, count(p, "__kernel"), "the one kernel asked for");
    }

    /**
     * Every header has an include guard (#ifndef NAME, #define NAME as its first directives and
     * #endif last), so compilers that resolve includes themselves (clang -I in OpenCl12Test, the
     * Oclgrind and PoCL tools) see each once too; and every kernel file names the headers it uses.
     */
    @Test
    void everyHeaderHasAnIncludeGuard() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("kernels-cl"))) {
            for (Path h : s.filter(p -> p.toString().endsWith(".h.cl")).sorted().toList()) {
                List<String> directives = Files.readAllLines(h).stream()
                        .map(String::strip)
                        .filter(l -> l.startsWith("#"))
                        .toList();
                String name = h.getFileName().toString();
                assertTrue(
                        directives.size() >= 3 && directives.get(0).startsWith("#ifndef "), name + ": " + directives);
                String guard = directives.get(0).substring("#ifndef ".length()).strip();
                assertEquals("#define " + guard, directives.get(1), name);
                assertTrue(directives.get(directives.size() - 1).startsWith("#endif"), name);
            }
        }
    }

    /**
     * A program's cache key (in memory and on disk) is over its whole source: two programs of the
     * same kernel file whose headers differ in one line are two programs.
     */
    @Test
    void aChangedHeaderChangesTheKeyOfEveryProgramIncludingIt(@TempDir Path dir) throws IOException {
        ClContext ctx = TestSupport.context();
        String before = KernelSources.program(List.of("vec_add"), "elementwise.cl");
        ClProgram p1 = ctx.program(Map.of("EDGECL_TEST_KEY", "includes"), List.of("vec_add"), "elementwise.cl");
        Files.writeString(
                dir.resolve("common.h.cl"), KernelSources.load("common.h.cl") + "\n#define EDGECL_CHANGED 1\n");
        System.setProperty(KernelSources.DIR_PROPERTY, dir.toString());
        try {
            String after = KernelSources.program(List.of("vec_add"), "elementwise.cl");
            assertNotEquals(before, after, "the header's change is in the program source");
            assertTrue(after.contains("#define EDGECL_CHANGED 1"));
            assertNotEquals(
                    ProgramCache.key(before, "", ctx.info(), "jocl"),
                    ProgramCache.key(after, "", ctx.info(), "jocl"),
                    "the disk cache's key");
            ClProgram p2 = ctx.program(Map.of("EDGECL_TEST_KEY", "includes"), List.of("vec_add"), "elementwise.cl");
            assertNotSame(p1, p2, "a program of the changed header is built, not taken from memory");
        } finally {
            System.clearProperty(KernelSources.DIR_PROPERTY);
        }
        assertSame(
                p1,
                ctx.program(Map.of("EDGECL_TEST_KEY", "includes"), List.of("vec_add"), "elementwise.cl"),
                "the same source is the same program");
        // the same for two sources that differ only in what a header says
        Map<String, String> one = Map.of("k.cl", "#include \"h.h.cl\"\nint k;\n", "h.h.cl", "#define X 1\n");
        Map<String, String> two = Map.of("k.cl", "#include \"h.h.cl\"\nint k;\n", "h.h.cl", "#define X 2\n");
        assertNotEquals(
                ProgramCache.key(expand("k.cl", one).source(), "", ctx.info(), "jocl"),
                ProgramCache.key(expand("k.cl", two).source(), "", ctx.info(), "jocl"));
    }
}
