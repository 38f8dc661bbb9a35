package io.edgecl.io.image;

import io.edgecl.EdgeClException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A labelled image set on disk, listed like torchvision's ImageFolder: one sub-folder per class,
 * classes sorted by folder name, files (of the image extensions) sorted within each class,
 * sub-folders walked recursively. Or a flat folder with a labels file.
 */
public final class ImageFolder {
    /** torchvision's IMG_EXTENSIONS. */
    public static final Set<String> EXTENSIONS =
            Set.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

    public record Item(Path file, int label) {}

    private final List<String> classes;
    private final List<Item> items;

    private ImageFolder(List<String> classes, List<Item> items) {
        this.classes = classes;
        this.items = items;
    }

    public List<String> classes() {
        return classes;
    }

    public List<Item> items() {
        return items;
    }

    /**
     * A seeded sample of {@code n} items spread over every class: each class's items are shuffled
     * with {@code seed}, then taken round-robin across classes, so a small {@code --limit} still
     * sees every class (images are listed in class order, so the first N would cover one or two).
     * The sample keeps the folder's order.
     */
    public static List<Item> sample(List<Item> items, int n, long seed) {
        if (n >= items.size()) return items;
        TreeMap<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < items.size(); i++)
            byClass.computeIfAbsent(items.get(i).label(), k -> new ArrayList<>())
                    .add(i);
        Random rnd = new Random(seed);
        List<Iterator<Integer>> its = new ArrayList<>();
        for (List<Integer> idx : byClass.values()) {
            Collections.shuffle(idx, rnd);
            its.add(idx.iterator());
        }
        List<Integer> chosen = new ArrayList<>(n);
        while (chosen.size() < n) {
            for (Iterator<Integer> it : its) {
                if (chosen.size() < n && it.hasNext()) chosen.add(it.next());
            }
        }
        Collections.sort(chosen);
        List<Item> out = new ArrayList<>(n);
        for (int i : chosen) out.add(items.get(i));
        return out;
    }

    /** Scans {@code dir} as class sub-folders. */
    public static ImageFolder scan(Path dir) {
        if (!Files.isDirectory(dir))
            throw new EdgeClException("data folder " + dir + " does not exist or is not a folder");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory)
                    .sorted((a, b) ->
                            a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new EdgeClException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (classDirs.isEmpty()) {
            throw new EdgeClException("data folder " + dir + " has no class sub-folders (ImageFolder layout: "
                    + "DIR/<class>/<image>; for a flat folder give --labels-file)");
        }
        List<String> classes = new ArrayList<>();
        List<Item> items = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            classes.add(classDirs.get(c).getFileName().toString());
            for (Path f : imagesUnder(classDirs.get(c))) items.add(new Item(f, c));
        }
        if (items.isEmpty()) throw new EdgeClException("data folder " + dir + " holds no images (" + EXTENSIONS + ")");
        return new ImageFolder(classes, items);
    }

    /**
     * A flat folder with a labels file: each line "FILE LABEL" (tab-separated, or split at the
     * last space when there is no tab; FILE
     * relative to {@code dir}; LABEL a class index or one of {@code classNames}).
     */
    public static ImageFolder withLabelsFile(Path dir, Path labelsFile, List<String> classNames) {
        if (!Files.isDirectory(dir))
            throw new EdgeClException("data folder " + dir + " does not exist or is not a folder");
        List<String> lines;
        try {
            lines = Files.readAllLines(labelsFile);
        } catch (IOException e) {
            throw new EdgeClException("cannot read labels file " + labelsFile + ": " + e.getMessage(), e);
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            // a tab separates FILE and LABEL when either has spaces; else the last blank does
            int cut = line.lastIndexOf('\t');
            if (cut < 0) cut = Math.max(line.lastIndexOf(' '), -1);
            if (cut <= 0) {
                throw new EdgeClException(labelsFile + ":" + (i + 1) + ": expected 'FILE LABEL', got '" + line + "'");
            }
            String file = line.substring(0, cut).strip(),
                    label = line.substring(cut + 1).strip();
            int idx;
            if (label.matches("\\d+")) idx = Integer.parseInt(label);
            else idx = classNames.indexOf(label);
            if (idx < 0 || idx >= classNames.size()) {
                throw new EdgeClException(labelsFile + ":" + (i + 1) + ": unknown label '" + label + "'");
            }
            items.add(new Item(dir.resolve(file), idx));
        }
        if (items.isEmpty()) throw new EdgeClException("labels file " + labelsFile + " lists no images");
        return new ImageFolder(classNames, items);
    }

    private static List<Path> imagesUnder(Path d) {
        try (Stream<Path> s = Files.walk(d, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile)
                    .filter(ImageFolder::isImage)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new EdgeClException("cannot list " + d + ": " + e.getMessage(), e);
        }
    }

    static boolean isImage(Path p) {
        return EXTENSIONS.contains(extension(p));
    }

    /** The file name's extension, lower case with its dot (".jpg"); "" without one. */
    static String extension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot);
    }
}
