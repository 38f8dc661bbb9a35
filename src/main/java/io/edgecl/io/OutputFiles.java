package io.edgecl.io;

import io.edgecl.EdgeClException;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How EdgeCL writes a user's file: to a temporary sibling created with the user's umask (not
 * the 0600 of {@link Files#createTempFile}), renamed over the target only when complete, so a
 * crash or a full disk never leaves half a file where the user expects theirs.
 */
public final class OutputFiles {
    /** Writes the temporary file's content. */
    @FunctionalInterface
    public interface Content {
        void write(Path tmp) throws IOException;
    }

    private OutputFiles() {}

    /**
     * Refuses to write {@code out} over one of the command's own {@code inputs} (ever), or over an
     * existing file unless {@code force}; {@code option} names the flag in the message.
     */
    public static void checkTarget(Path out, String option, boolean force, Path... inputs) {
        for (Path in : inputs) {
            if (in != null && same(out, in)) {
                throw new EdgeClException(
                        option + " " + out + " is also an input of this command; write the outputs " + "elsewhere");
            }
        }
        if (Files.isDirectory(out)) throw new EdgeClException(option + " " + out + " is a folder; name a file");
        if (Files.exists(out) && !force) {
            throw new EdgeClException(option + " " + out + " already exists; give --force to replace it");
        }
    }

    private static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException e) {
            // fall back to comparing the paths
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Writes {@code file} atomically, creating its folder; an I/O failure becomes a one-line error naming the file. */
    public static void write(Path file, Content content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            replace(file, content);
        } catch (IOException e) {
            throw new EdgeClException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The atomic write itself, in an existing folder: the temporary sibling is removed on failure. */
    public static void replace(Path file, Content content) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = createSibling(abs.getParent(), abs.getFileName().toString());
        try {
            content.write(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    /** Writes a string as UTF-8, atomically. */
    public static void writeString(Path file, CharSequence text) {
        write(file, tmp -> Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Path createSibling(Path dir, String name) throws IOException {
        for (int i = 0; ; i++) {
            Path p = dir.resolve("." + name + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try (SeekableByteChannel c =
                    Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                return p;
            } catch (FileAlreadyExistsException e) {
                if (i > 100) throw e;
            }
        }
    }
}
