package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.io.image.ImageSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code segment} and {@code detect} share (a picocli mixin): the images named on the
 * command line, the class names, JSON output, and the files each writes per image into --out
 * (NAME + suffix, NAME the image's file name without its extension), checked before any work so
 * that nothing of a user's is replaced without --overwrite.
 */
public final class ImageOutputs {
    @picocli.CommandLine.Parameters(
            arity = "1..*",
            paramLabel = "IMAGE",
            description = "Image files, folders, or - (standard input).")
    List<String> images;

    @picocli.CommandLine.Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Folder for the files written per image (created).")
    Path out;

    @picocli.CommandLine.Option(names = "--overwrite", description = "Replace files that already exist in --out.")
    boolean overwrite;

    @picocli.CommandLine.Option(
            names = "--labels",
            paramLabel = "FILE",
            description = "Class names by index, one per line.")
    Path labelsFile;

    @picocli.CommandLine.Option(names = "--json", description = "One JSON object per image and line (JSON Lines).")
    boolean json;

    /** The class names: --labels, else the model's own, else null (indices are printed). */
    io.edgecl.io.image.Labels labels(io.edgecl.models.VisionModel model) {
        if (labelsFile != null) return io.edgecl.io.image.Labels.fromFile(labelsFile);
        return model.labels() != null ? io.edgecl.io.image.Labels.of(model.labels()) : null;
    }

    /** The images, with --out prepared (and checked) for the files of {@code suffixes} when given. */
    List<ImageSources.Source> prepare(String command, String... suffixes) {
        List<ImageSources.Source> sources = sources(images, command);
        if (out != null) prepare(out, overwrite, sources, suffixes);
        return sources;
    }

    /** The files of {@code source} in --out, one per suffix; empty without --out. */
    List<Path> files(ImageSources.Source source, String... suffixes) {
        return out == null ? List.of() : files(out, source, suffixes);
    }

    /** The images of {@code args} (files, folders, or - for standard input, not a terminal). */
    static List<ImageSources.Source> sources(List<String> args, String command) {
        return ImageSources.list(args, () -> {
                    if (System.console() != null) {
                        throw new EdgeClException("'-' reads one image from standard input, which is this terminal; "
                                + "pipe an image in (for example: cat photo.jpg | edgecl " + command + " -)");
                    }
                    return System.in;
                })
                .sources();
    }

    /** The files of {@code source} in {@code out}, one per suffix. */
    static List<Path> files(Path out, ImageSources.Source source, String... suffixes) {
        String n = source.file() != null ? source.file().getFileName().toString() : "stdin";
        int dot = n.lastIndexOf('.');
        String stem = dot > 0 ? n.substring(0, dot) : n;
        List<Path> files = new ArrayList<>();
        for (String s : suffixes) files.add(out.resolve(stem + s));
        return files;
    }

    /** Creates {@code out}; without {@code overwrite}, refuses when a file any image would write exists. */
    static void prepare(Path out, boolean overwrite, List<ImageSources.Source> sources, String... suffixes) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new EdgeClException("cannot create --out folder " + out + ": " + e.getMessage());
        }
        if (overwrite) return;
        for (ImageSources.Source s : sources) {
            for (Path f : files(out, s, suffixes)) {
                if (Files.exists(f)) {
                    throw new EdgeClException(f + " exists; pass --overwrite to replace it, or another --out");
                }
            }
        }
    }

    /** The decoded image, or null after reporting on {@code err} why it was skipped (added to {@code failed}). */
    static io.edgecl.io.image.RgbImage decodeOrSkip(
            ImageSources.Source src, List<String> failed, java.io.PrintWriter err) {
        try {
            return src.decode();
        } catch (io.edgecl.io.image.ImageException e) {
            failed.add(e.getMessage());
            err.println("edgecl: skipping " + e.getMessage());
            return null;
        }
    }

    /** Fails the command (exit code 2) when an image could not be read, the others having been processed. */
    static void finish(List<String> failed, int total) {
        if (!failed.isEmpty()) {
            throw new io.edgecl.io.image.ImageException(
                    failed.size() + " of " + total + " images could not be read; first: " + failed.get(0));
        }
    }
}
