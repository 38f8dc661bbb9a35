package io.edgecl.cl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Where the OpenCL library (the ICD loader, or a vendor's library on boards without one) lives.
 * Both bindings load it from an explicit path found here rather than trusting the dynamic
 * linker with the unversioned {@code libOpenCL.so}, which only development packages provide:
 * a fresh Debian machine has {@code libOpenCL.so.1}, an Adreno phone {@code /vendor/lib64/libOpenCL.so},
 * a Mali board {@code libmali.so}.
 *
 * <p>{@code EDGECL_OPENCL_LIB} (or {@code -Dedgecl.opencl.lib}) names the library to use and
 * disables the search.
 */
public final class OpenClLibrary {
    public static final String ENV = "EDGECL_OPENCL_LIB";
    public static final String PROPERTY = "edgecl.opencl.lib";

    /** File names in the order a search prefers them: the loader's SONAME first. */
    private static final List<String> LINUX_NAMES =
            List.of("libOpenCL.so.1", "libOpenCL.so", "libmali.so", "libmali.so.1");

    /** Directories of the systems EdgeCL is meant for, after LD_LIBRARY_PATH and ld.so.conf. */
    private static final List<String> LINUX_DIRS = List.of(
            "/usr/lib/x86_64-linux-gnu",
            "/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/lib/aarch64-linux-gnu",
            "/usr/lib/arm-linux-gnueabihf",
            "/lib/arm-linux-gnueabihf",
            "/usr/lib/riscv64-linux-gnu",
            "/usr/lib64",
            "/lib64",
            "/usr/lib",
            "/lib",
            "/usr/local/lib",
            "/opt/rocm/lib",
            "/usr/local/cuda/lib64",
            "/usr/lib/mali",
            "/usr/lib/aarch64-linux-gnu/mali");

    /** Android and Android-derived board images: the vendor partition holds the GPU's library. */
    private static final List<String> ANDROID_FILES = List.of(
            "/vendor/lib64/libOpenCL.so",
            "/system/vendor/lib64/libOpenCL.so",
            "/system/lib64/libOpenCL.so",
            "/vendor/lib64/egl/libGLES_mali.so",
            "/system/vendor/lib64/egl/libGLES_mali.so",
            "/vendor/lib64/libPVROCL.so",
            "/system/vendor/lib64/libPVROCL.so",
            "/vendor/lib/libOpenCL.so",
            "/system/vendor/lib/libOpenCL.so",
            "/system/lib/libOpenCL.so",
            "/vendor/lib/egl/libGLES_mali.so",
            "/system/vendor/lib/egl/libGLES_mali.so",
            "/vendor/lib/libPVROCL.so",
            "/system/vendor/lib/libPVROCL.so");

    private static final List<String> MAC_FILES = List.of(
            "/System/Library/Frameworks/OpenCL.framework/OpenCL",
            "/System/Library/Frameworks/OpenCL.framework/Versions/Current/OpenCL");

    private static final Map<String, String> LOADED = new ConcurrentHashMap<>();
    private static final Map<String, String> FAILED = new ConcurrentHashMap<>();

    private OpenClLibrary() {}

    /** Notes which file a binding opened, for {@code edgecl devices} and error messages. */
    public static void recordLoaded(String binding, String path) {
        LOADED.put(binding, path);
    }

    /**
     * Why the binding's last search failed, or null. JOCL searches once, from a static
     * initializer; later attempts only see "could not initialize class", so the reason is kept.
     */
    static String failure(String binding) {
        return FAILED.get(binding);
    }

    /** The file the binding opened, or null if it has not opened one through this search. */
    public static String loaded(String binding) {
        return LOADED.get(binding);
    }

    /** Tries to open one library; returns null on success, else why it failed. */
    @FunctionalInterface
    public interface Opener {
        String open(String path);
    }

    /**
     * Opens the first candidate that {@code opener} accepts and returns its path; otherwise
     * throws {@link OpenClLibraryException} listing every attempt and what to do.
     */
    public static String load(String binding, Opener opener) {
        List<String> tried = new ArrayList<>();
        for (String c : candidates()) {
            String why = unusable(c);
            if (why != null) {
                tried.add(c + " (" + why + ")");
                continue;
            }
            try {
                why = opener.open(c);
            } catch (LinkageError | RuntimeException e) {
                why = String.valueOf(e.getMessage());
            }
            if (why == null) return c;
            tried.add(c + " (" + why.replace('\n', ' ').trim() + ")");
        }
        OpenClLibraryException e =
                OpenClLibraryException.searchFailed(binding, tried, describeSearch(), userChoice() != null);
        FAILED.put(binding, e.getMessage());
        throw e;
    }

    /** The library the user named with {@value #ENV} or {@code -D}{@value #PROPERTY}, or null. */
    public static String userChoice() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return p.trim();
        String e = System.getenv(ENV);
        if (e != null && !e.isBlank()) return e.trim();
        return null;
    }

    /**
     * What to try, best first: the user's choice alone when there is one, else every existing
     * file of the search (symlinks resolved to distinct targets). Empty when nothing exists.
     */
    public static List<String> candidates() {
        String user = userChoice();
        if (user != null) return List.of(user);
        return existing(searchPaths(), Files::isRegularFile);
    }

    /** Every path the search looks at for this OS, whether it exists or not. */
    public static List<String> searchPaths() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        if (os.contains("mac") || os.contains("darwin")) {
            out.addAll(MAC_FILES);
        } else if (os.contains("win")) {
            out.add(System.getenv().getOrDefault("SystemRoot", "C:\\Windows") + "\\System32\\OpenCL.dll");
        } else {
            for (String dir : linuxDirs()) {
                for (String name : LINUX_NAMES) out.add(dir + "/" + name);
            }
            out.addAll(ANDROID_FILES);
        }
        return out;
    }

    /** A one-line account of the search, for errors: the names, the directories, the override. */
    public static String describeSearch() {
        String user = userChoice();
        if (user != null) return ENV + "=" + user;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("win")) return String.join(", ", searchPaths());
        return String.join("/", LINUX_NAMES) + " in " + String.join(", ", linuxDirs())
                + ", and the Android vendor paths (/vendor/lib64/libOpenCL.so, ...)";
    }

    /**
     * Why a named file cannot be this process's OpenCL library (absent, not a shared library, or
     * built for another CPU), or null to let the binding try it. Checking first keeps the native
     * loaders' own messages off stderr.
     */
    static String unusable(String candidate) {
        if (!candidate.contains("/") && !candidate.contains("\\")) return null; // a bare name: the linker searches
        Path p = Path.of(candidate);
        if (!Files.exists(p)) return "absent";
        if (!Files.isRegularFile(p)) return "not a file";
        byte[] h = new byte[20];
        int n;
        try (var in = Files.newInputStream(p)) {
            n = in.readNBytes(h, 0, h.length);
        } catch (IOException | RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("win")) return null;
        if (n < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') return "not a shared library";
        int bits = h[4] == 2 ? 64 : 32;
        int machine = h[5] == 2 ? ((h[18] & 0xff) << 8) | (h[19] & 0xff) : ((h[19] & 0xff) << 8) | (h[18] & 0xff);
        int want = elfMachine(System.getProperty("os.arch", ""));
        String jvmBits = System.getProperty("sun.arch.data.model", "");
        if ((want != 0 && machine != want) || (!jvmBits.isEmpty() && !jvmBits.equals(Integer.toString(bits)))) {
            return "built for another CPU (ELF " + bits + "-bit, machine " + machine + "; this JVM is "
                    + System.getProperty("os.arch") + ")";
        }
        return null;
    }

    private static int elfMachine(String arch) {
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 62;
            case "aarch64":
            case "arm64":
                return 183;
            case "arm":
            case "armv7l":
            case "aarch32":
                return 40;
            case "riscv64":
                return 243;
            case "x86":
            case "i386":
            case "i686":
                return 3;
            default:
                return 0;
        }
    }

    static List<String> existing(List<String> paths, Predicate<Path> exists) {
        Set<String> seen = new LinkedHashSet<>();
        Set<Path> targets = new LinkedHashSet<>();
        for (String p : paths) {
            Path path = Path.of(p);
            if (!exists.test(path)) continue;
            Path real;
            try {
                real = path.toRealPath();
            } catch (IOException | SecurityException e) {
                real = path;
            }
            // libOpenCL.so and libOpenCL.so.1 are usually one file: try it once.
            if (targets.add(real)) seen.add(p);
        }
        return new ArrayList<>(seen);
    }

    /** LD_LIBRARY_PATH, then the directories of /etc/ld.so.conf (what the dynamic linker searches), then the fixed list. */
    static List<String> linuxDirs() {
        Set<String> dirs = new LinkedHashSet<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(d);
        }
        readLdConf(Path.of("/etc/ld.so.conf"), dirs, 0);
        dirs.addAll(LINUX_DIRS);
        return new ArrayList<>(dirs);
    }

    private static void readLdConf(Path file, Set<String> dirs, int depth) {
        if (depth > 3 || !Files.isReadable(file)) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return; // an unreadable or odd conf file only narrows the search
        }
        for (String raw : lines) {
            String line = raw.replaceAll("#.*", "").trim();
            if (line.isEmpty()) continue;
            if (line.startsWith("include ")) {
                String pattern = line.substring("include ".length()).trim();
                Path p = Path.of(pattern);
                Path dir = p.isAbsolute()
                        ? p.getParent()
                        : file.getParent().resolve(p).getParent();
                String glob = p.getFileName().toString();
                if (dir == null || !Files.isDirectory(dir)) continue;
                try (var ds = Files.newDirectoryStream(dir, glob)) {
                    List<Path> inc = new ArrayList<>();
                    ds.forEach(inc::add);
                    inc.sort(null);
                    for (Path i : inc) readLdConf(i, dirs, depth + 1);
                } catch (IOException | RuntimeException e) {
                    // skip an unreadable include
                }
            } else if (line.startsWith("/")) {
                dirs.add(line);
            }
        }
    }
}
