package io.edgecl.cl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Program binaries on disk, keyed by (source, build options, device, driver), so a second start
 * does not recompile. Entries are written to a temporary file and moved into place, so a crash
 * or a concurrent writer never leaves a half-written binary that a later run would trust.
 */
public final class ProgramCache {
    public static final String DIR_PROPERTY = "edgecl.cache.dir";
    public static final String DIR_ENV = "EDGECL_CACHE_DIR";
    /** Set to "off" to compile every time (e.g. to measure cold builds). */
    public static final String ENABLE_PROPERTY = "edgecl.program.cache";

    private final Path dir;

    public ProgramCache(Path dir) {
        this.dir = dir;
    }

    /** The default cache, or null when disabled. */
    public static ProgramCache defaultCache() {
        if ("off".equalsIgnoreCase(System.getProperty(ENABLE_PROPERTY, ""))
                || "off".equalsIgnoreCase(System.getenv().getOrDefault("EDGECL_PROGRAM_CACHE", ""))) {
            return null;
        }
        return new ProgramCache(cacheRoot().resolve("programs"));
    }

    /** Root of EdgeCL's cache: -Dedgecl.cache.dir, EDGECL_CACHE_DIR, $XDG_CACHE_HOME/edgecl, ~/.cache/edgecl. */
    public static Path cacheRoot() {
        String p = System.getProperty(DIR_PROPERTY);
        if (p == null || p.isBlank()) p = System.getenv(DIR_ENV);
        if (p != null && !p.isBlank()) return Paths.get(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Paths.get(xdg, "edgecl");
        return Paths.get(System.getProperty("user.home"), ".cache", "edgecl");
    }

    public Path dir() {
        return dir;
    }

    public static String key(String source, String options, DeviceInfo dev, String bindingName) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {source, options, dev.platformName(), dev.platformVersion(), dev.name(),
                    dev.vendor(), dev.version(), dev.driverVersion()}) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached binary, or null when absent or unreadable (a cache miss is never an error). */
    public byte[] load(String key) {
        Path f = dir.resolve(key + ".bin");
        try {
            return Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Stores a binary; failures (read-only home, full disk) only cost a recompile next time. */
    public void store(String key, byte[] binary) {
        if (binary == null || binary.length == 0) return;
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            try {
                Files.write(tmp, binary);
                try {
                    Files.move(tmp, dir.resolve(key + ".bin"), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, dir.resolve(key + ".bin"), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // best effort
        }
    }

    public void remove(String key) {
        try {
            Files.deleteIfExists(dir.resolve(key + ".bin"));
        } catch (IOException e) {
            // best effort
        }
    }
}
