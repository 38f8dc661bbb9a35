package io.edgecl.cl;

import io.edgecl.EdgeClException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads OpenCL C sources packaged in the jar under /kernels-cl/ and makes a kernel file's
 * program source of it and the headers it names by {@code #include "…"}. A folder named by
 * -Dedgecl.kernels.dir replaces the packaged files it holds, headers included: for trying a
 * kernel change without a rebuild, and for checking that selftest catches a wrong kernel.
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

    /** The program source of a kernel file, every kernel in it, its headers included. */
    public static String program(String file) {
        return program(null, file);
    }

    /**
     * The program source of a kernel file, its headers included, keeping only the kernels named
     * in {@code kernels} (all when null): a driver's front end parses and compiles every kernel
     * of a program, used or not, and on PoCL a program of one kernel builds in about half the
     * time of its whole file.
     */
    public static String program(java.util.Collection<String> kernels, String file) {
        if (!System.getProperty(DIR_PROPERTY, "").isEmpty())
            return expand(file, load(file), kernels).source();
        // one string per program source: the contexts' lookups hash it once, not per request
        return PROGRAMS.computeIfAbsent(
                (kernels == null ? "*" : String.join(",", kernels)) + "|" + file,
                k -> expand(file, load(file), kernels).source());
    }

    private static final Map<String, String> PROGRAMS = new ConcurrentHashMap<>();

    /**
     * The files a kernel file's program is built from: the headers it includes, in the order
     * they are expanded, then the file.
     */
    public static java.util.List<String> sources(String file) {
        return expand(file, load(file), java.util.List.of()).files();
    }

    /**
     * {@code text} with its includes resolved, as the program source of a kernel file named
     * {@code name} (which names it in errors and line directives): for sources that are not a
     * packaged file.
     */
    public static String expand(String name, String text) {
        return expand(name, text, null).source();
    }

    /** A program source and the files it was built from (headers first). */
    record Expansion(String source, java.util.List<String> files) {}

    /**
     * Expands the {@code #include "file"} lines of {@code text} (the file {@code name}) with the
     * kernel files they name, recursively. The OpenCL compiler sees one source, so includes are
     * resolved here: each file is expanded once per program (a later include of it is dropped,
     * include guard or not), where its first include stands, whatever #if surrounds it; a file
     * that includes itself through others is an error naming the chain, a missing one an error
     * naming the including file and line. #line directives keep the compiler's messages pointing
     * at each file's own lines.
     */
    static Expansion expand(String name, String text, java.util.Collection<String> kernels) {
        return expand(name, text, kernels, KernelSources::load);
    }

    /** {@link #expand(String, String, java.util.Collection)} with the included files read by {@code loader}. */
    static Expansion expand(
            String name,
            String text,
            java.util.Collection<String> kernels,
            java.util.function.Function<String, String> loader) {
        StringBuilder out = new StringBuilder(text.length() + 8192);
        java.util.Set<String> done = new java.util.LinkedHashSet<>();
        expandInto(out, name, text, kernels, loader, new java.util.ArrayDeque<>(), done);
        return new Expansion(out.toString(), java.util.List.copyOf(done));
    }

    private static final java.util.regex.Pattern INCLUDE = java.util.regex.Pattern.compile("^\\s*#\\s*include\\b(.*)$");
    private static final java.util.regex.Pattern QUOTED =
            java.util.regex.Pattern.compile("\\s*\"([^\"/\\\\]+)\"\\s*(?://.*|/\\*.*\\*/\\s*)?");

    private static void expandInto(
            StringBuilder out,
            String name,
            String text,
            java.util.Collection<String> kernels,
            java.util.function.Function<String, String> loader,
            java.util.Deque<String> open,
            java.util.Set<String> done) {
        open.push(name);
        String src = kernels == null ? text : only(text, kernels, name);
        out.append("#line 1 \"").append(name).append("\"\n");
        int lineNo = 0;
        for (int from = 0; from < src.length(); ) {
            int nl = src.indexOf('\n', from);
            int to = nl < 0 ? src.length() : nl + 1;
            String line = src.substring(from, to);
            from = to;
            lineNo++;
            java.util.regex.Matcher inc = INCLUDE.matcher(line.strip());
            if (!inc.matches()) {
                out.append(line);
                continue;
            }
            java.util.regex.Matcher q = QUOTED.matcher(inc.group(1));
            if (!q.matches()) {
                throw new EdgeClException(name + ":" + lineNo + ": " + line.strip()
                        + ": a kernel file includes another " + "by its file name in quotes, #include \"common.h.cl\"");
            }
            String header = q.group(1);
            if (open.contains(header)) {
                java.util.List<String> chain = new java.util.ArrayList<>(open);
                java.util.Collections.reverse(chain);
                chain = chain.subList(chain.indexOf(header), chain.size());
                throw new EdgeClException(name + ":" + lineNo + ": #include \"" + header + "\" is an include cycle: "
                        + String.join(" -> ", chain) + " -> " + header);
            }
            if (done.contains(header)) {
                out.append('\n'); // included already: once per program
                continue;
            }
            String headerText;
            try {
                headerText = loader.apply(header);
            } catch (EdgeClException e) {
                throw new EdgeClException(name + ":" + lineNo + ": #include \"" + header + "\": " + e.getMessage(), e);
            }
            expandInto(out, header, headerText, kernels, loader, open, done);
            if (out.charAt(out.length() - 1) != '\n') out.append('\n');
            out.append("#line ").append(lineNo + 1).append(" \"").append(name).append("\"\n");
        }
        open.pop();
        done.add(name);
    }

    private static final java.util.regex.Pattern KERNEL = java.util.regex.Pattern.compile(
            "(?ms)^__kernel\\b\\s*(?:__attribute__\\s*\\(\\([^;{]*?\\)\\)\\s*)?void\\s+(\\w+)\\s*\\(");

    /**
     * {@code src} without the kernel functions not in {@code keep}: each runs from a line that
     * starts with __kernel to the brace that closes its body (comments skipped when matching),
     * and leaves its line breaks, so the lines after it keep their numbers.
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
            if (keep.contains(m.group(1))) {
                out.append(src, start, end + 1);
            } else {
                for (int i = start; i <= end; i++) if (src.charAt(i) == '\n') out.append('\n');
            }
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
