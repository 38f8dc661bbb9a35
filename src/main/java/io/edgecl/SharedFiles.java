package io.edgecl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write of a small text file that several processes update (the tuning table, the
 * selftest record). Under an exclusive lock on a sibling {@code .lock} file the latest contents
 * are read, changed, written to a temporary file and moved into place: two processes that update
 * at once both keep their change, and a reader (which takes no lock) sees the old file or the new
 * one whole, never a part. Threads of one process are serialised here too (a JVM holds one lock
 * per file).
 */
public final class SharedFiles {
    private SharedFiles() {}

    /**
     * Replaces {@code file}'s text by {@code change} applied to it ({@code null} when the file does
     * not exist); a {@code null} result leaves the file as it is. Returns the text now in force.
     */
    public static String update(Path file, UnaryOperator<String> change) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(file.getFileName() + ".lock");
        synchronized (SharedFiles.class) {
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                String old = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
                String now = change.apply(old);
                if (now == null || now.equals(old)) return old;
                Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
                try {
                    Files.writeString(tmp, now, StandardCharsets.UTF_8);
                    try {
                        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
                return now;
            }
        }
    }
}
