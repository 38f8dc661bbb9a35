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
        StringBuilder b = new StringBuilder(load("common.h.cl"));
        for (String f : files) {
            b.append("\n// ---- ").append(f).append('\n').append(load(f));
        }
        return b.toString();
    }
}
