package io.edgecl.io.image;

import io.edgecl.EdgeClException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What a user names on a command line as images: files, folders (walked recursively, files in
 * sorted path order, those without an image extension skipped and counted) and {@code -} for
 * one image read from standard input.
 */
public final class ImageSources {
    /** The name {@code -} stands for in messages and output. */
    public static final String STDIN = "-";

    /** torchvision's IMG_EXTENSIONS and GIF, which EdgeCL also reads. */
    public static final Set<String> EXTENSIONS;

    static {
        Set<String> e = new HashSet<>(ImageFolder.EXTENSIONS);
        e.add(".gif");
        EXTENSIONS = Set.copyOf(e);
    }

    /** One image to decode: a file, or the bytes standard input held. */
    public record Source(String name, Path file, byte[] data) {
        public RgbImage decode() {
            return file != null ? ImageDecoder.decode(file) : ImageDecoder.decode(data, name, ImageDecoder.MAX_PIXELS);
        }
    }

    /** The images in command-line order, and how many files the folders held that are not images. */
    public record Listing(List<Source> sources, int skipped) {}

    private ImageSources() {}

    /**
     * Expands {@code args}; a missing path, a folder without images, or {@code -} given twice is an
     * {@link ImageException} naming it. {@code stdin} is read only when {@code -} is given.
     */
    public static Listing list(List<String> args, Supplier<InputStream> stdin) {
        List<Source> out = new ArrayList<>();
        int skipped = 0;
        boolean stdinRead = false;
        for (String a : args) {
            if (a.equals(STDIN)) {
                if (stdinRead)
                    throw new EdgeClException("'-' (standard input) is given more than once; it holds one image");
                stdinRead = true;
                out.add(new Source("standard input", null, readAll(stdin.get())));
                continue;
            }
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                int[] other = {0};
                List<Path> found = walk(p, other);
                if (found.isEmpty()) {
                    throw new ImageException(p + ": no images in this folder or below (" + other[0]
                            + " other files; image files end in " + String.join(", ", sorted(EXTENSIONS)) + ")");
                }
                for (Path f : found) out.add(new Source(f.toString(), f, null));
                skipped += other[0];
            } else if (Files.exists(p)) {
                out.add(new Source(p.toString(), p, null));
            } else {
                throw new ImageException(p + ": no such image file or folder");
            }
        }
        return new Listing(List.copyOf(out), skipped);
    }

    static boolean isImage(Path p) {
        return EXTENSIONS.contains(ImageFolder.extension(p));
    }

    private static List<Path> walk(Path dir, int[] other) {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            List<Path> files = s.filter(Files::isRegularFile).sorted().toList();
            List<Path> images = new ArrayList<>();
            for (Path f : files) {
                if (isImage(f)) images.add(f);
                else other[0]++;
            }
            return images;
        } catch (IOException | UncheckedIOException e) {
            Throwable c = e instanceof UncheckedIOException u ? u.getCause() : e;
            throw new ImageException(dir + ": cannot list the folder: " + c, c);
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ImageException("standard input: cannot read: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new ImageException("standard input: too large to hold in memory");
        }
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
