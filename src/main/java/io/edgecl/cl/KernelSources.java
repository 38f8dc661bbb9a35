package io.edgecl.cl;

import io.edgecl.EdgeClException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads OpenCL C sources packaged in the jar under /kernels-cl/. A folder named by
 * -Dedgecl.kernels.dir replaces the packaged files it holds: for trying a kernel change without
 * a rebuild, and for checking that selftest catches a wrong kernel.
 */
public final class KernelSources {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    /** A folder whose .cl files replace the packaged ones of the same name. */
    public static final String DIR_PROPERTY = "edgecl.kernels.dir";

    private KernelSources() {}

    public static String load(String file) {
        String dir = System.getProperty(DIR_PROPERTY, "");
        if (!dir.isEmpty()) {
            java.nio.file.Path f = java.nio.file.Path.of(dir, file);
            if (java.nio.file.Files.isRegularFile(f)) {
                try {
                    return java.nio.file.Files.readString(f, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new EdgeClException("-D" + DIR_PROPERTY + ": cannot read " + f + ": " + e.getMessage(), e);
                }
            }
        }
        return CACHE.computeIfAbsent(file, f -> {
            String res = "/kernels-cl/" + f;
            try (InputStream in = KernelSources.class.getResourceAsStream(res)) {
                if (in == null) throw new EdgeClException("kernel source " + res + " is missing from the jar");
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new EdgeClException("cannot read kernel source " + res + ": " + e.getMessage(), e);
            }
        });
    }

    /** The common header followed by each named file, as one program source. */
    public static String program(String... files) {
        return program(null, files);
    }

    /**
     * The common header and the files, keeping only the kernels named in {@code kernels} (all
     * when null): a driver's front end parses and compiles every kernel of a program, used or
     * not, and on PoCL a program of one kernel builds in about half the time of its whole file.
     */
    public static String program(java.util.Collection<String> kernels, String... files) {
        if (!System.getProperty(DIR_PROPERTY, "").isEmpty()) return assemble(kernels, files);
        // one string per program source: the contexts' lookups hash it once, not per request
        return PROGRAMS.computeIfAbsent((kernels == null ? "*" : String.join(",", kernels)) + "|" + String.join("+", files),
                k -> assemble(kernels, files));
    }

    private static final Map<String, String> PROGRAMS = new ConcurrentHashMap<>();

    private static String assemble(java.util.Collection<String> kernels, String... files) {
        StringBuilder b = new StringBuilder(load("common.h.cl"));
        for (String f : files) {
            String src = load(f);
            b.append("\n// ---- ").append(f).append('\n').append(kernels == null ? src : only(src, kernels, f));
        }
        return b.toString();
    }

    private static final java.util.regex.Pattern KERNEL = java.util.regex.Pattern.compile(
            "(?ms)^__kernel\\b\\s*(?:__attribute__\\s*\\(\\([^;{]*?\\)\\)\\s*)?void\\s+(\\w+)\\s*\\(");

    /**
     * {@code src} without the kernel functions not in {@code keep}: each runs from a line that
     * starts with __kernel to the brace that closes its body (comments skipped when matching).
     */
    static String only(String src, java.util.Collection<String> keep, String file) {
        StringBuilder out = new StringBuilder(src.length());
        java.util.regex.Matcher m = KERNEL.matcher(src);
        int from = 0;
        while (m.find(from)) {
            int start = m.start();
            int open = src.indexOf('{', m.end());
            if (open < 0) throw new EdgeClException(file + ": kernel " + m.group(1) + " has no body");
            int end = closingBrace(src, open, file);
            out.append(src, from, start);
            if (keep.contains(m.group(1))) out.append(src, start, end + 1);
            from = end + 1;
        }
        out.append(src, from, src.length());
        return out.toString();
    }

    private static int closingBrace(String src, int open, String file) {
        int depth = 0;
        for (int i = open; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
                i = src.indexOf('\n', i);
                if (i < 0) break;
            } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '*') {
                i = src.indexOf("*/", i + 2);
                if (i < 0) break;
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new EdgeClException(file + ": unbalanced braces in a kernel starting at offset " + open);
    }
}
