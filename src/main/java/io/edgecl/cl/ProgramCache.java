package io.edgecl.cl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Program binaries on disk, keyed by (source, build options, device, driver), so a second start
 * does not recompile. Entries are written to a temporary file and moved into place, so a crash
 * or a concurrent writer never leaves a half-written binary that a later run would trust.
 */
public final class ProgramCache {
    public static final String DIR_PROPERTY = "edgecl.cache.dir";
    public static final String DIR_ENV = "EDGECL_CACHE_DIR";
    /**
     * "off" compiles every time (e.g. to measure cold builds); "on" (also "auto", the default)
     * stores binaries. Also $EDGECL_PROGRAM_CACHE.
     */
    public static final String ENABLE_PROPERTY = "edgecl.program.cache";

    private final Path dir;

    public ProgramCache(Path dir) {
        this.dir = dir;
    }

    /** The default cache, or null when disabled. */
    public static ProgramCache defaultCache() {
        String mode = System.getProperty(ENABLE_PROPERTY, "");
        if (mode.isBlank()) mode = System.getenv().getOrDefault("EDGECL_PROGRAM_CACHE", "");
        mode = mode.isBlank() ? "auto" : mode.trim().toLowerCase(java.util.Locale.ROOT);
        switch (mode) {
            case "off" -> {
                return null;
            }
            case "on", "auto" -> {
                return new ProgramCache(cacheRoot().resolve("programs"));
            }
            default ->
                throw new io.edgecl.EdgeClException(
                        ENABLE_PROPERTY + " / EDGECL_PROGRAM_CACHE is '" + mode + "': use on or off");
        }
    }

    /**
     * Whether the driver compiles kernels when they are first launched, so that a program's binary
     * is complete only then: PoCL builds a program's IR at clBuildProgram and compiles each kernel
     * at its first launch, and asking it for the binary before compiles every kernel of the
     * program at once. A cold first classify of the demo model took 50.6 s with binaries asked
     * for at build time, 14.6 s without; so on such a driver a binary is asked for, and stored,
     * once every kernel of its program has run (ClProgram), when it costs nothing more.
     */
    public static boolean driverCompilesAtLaunch(DeviceInfo device) {
        return device.isPocl();
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
            for (String part : new String[] {
                source,
                options,
                dev.platformName(),
                dev.platformVersion(),
                dev.name(),
                dev.vendor(),
                dev.version(),
                dev.driverVersion()
            }) {
                md.update(part.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What {@link #load} found: the binary, or why the entry was refused (null problem for a plain miss). */
    public record Entry(byte[] binary, String problem) {}

    /**
     * Entry layout: magic, the payload's length, SHA-256 over (key, payload), the payload. A
     * program binary goes to the driver only when all of it checks out: drivers trust binaries,
     * and a truncated or bit-flipped one crashes some of them (PoCL asserts) instead of failing.
     */
    private static final byte[] MAGIC = "EDGECLB1".getBytes(StandardCharsets.US_ASCII);

    private static final int HEADER = MAGIC.length + 8 + 32;

    /** The cached binary when the entry is whole; a damaged entry is reported and deleted, never returned. */
    public Entry load(String key) {
        Path f = dir.resolve(key + ".bin");
        byte[] all;
        try {
            if (!Files.isRegularFile(f)) return new Entry(null, null);
            all = Files.readAllBytes(f);
        } catch (IOException e) {
            return new Entry(null, null);
        }
        String problem = check(key, all);
        if (problem != null) {
            remove(key);
            return new Entry(null, f + " " + problem);
        }
        return new Entry(Arrays.copyOfRange(all, HEADER, all.length), null);
    }

    private static String check(String key, byte[] all) {
        if (all.length < HEADER) return "is truncated (" + all.length + " bytes, shorter than its header)";
        if (!Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) return "has no EdgeCL cache header";
        long len = ByteBuffer.wrap(all, MAGIC.length, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        if (len != all.length - HEADER)
            return "is truncated (header says " + len + " bytes, " + (all.length - HEADER) + " present)";
        byte[] want = Arrays.copyOfRange(all, MAGIC.length + 8, HEADER);
        if (!Arrays.equals(want, digest(key, all, HEADER))) return "fails its checksum";
        return null;
    }

    private static byte[] digest(String key, byte[] data, int from) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(key.getBytes(StandardCharsets.UTF_8));
            md.update(data, from, data.length - from);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores a binary; failures (read-only home, full disk) only cost a recompile next time. */
    public void store(String key, byte[] binary) {
        if (binary == null || binary.length == 0) return;
        byte[] all = new byte[HEADER + binary.length];
        System.arraycopy(MAGIC, 0, all, 0, MAGIC.length);
        ByteBuffer.wrap(all, MAGIC.length, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(binary.length);
        System.arraycopy(binary, 0, all, HEADER, binary.length);
        System.arraycopy(digest(key, all, HEADER), 0, all, MAGIC.length + 8, 32);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            try {
                Files.write(tmp, all);
                try {
                    Files.move(
                            tmp,
                            dir.resolve(key + ".bin"),
                            StandardCopyOption.ATOMIC_MOVE,
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
