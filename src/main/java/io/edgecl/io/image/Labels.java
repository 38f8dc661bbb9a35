package io.edgecl.io.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Class names by class index. A labels file has one class per line, in index order; text after
 * a tab is a longer description (the bundled ImageNet file keeps every WordNet lemma there).
 */
public final class Labels {
    private static final String IMAGENET_RESOURCE = "/io/edgecl/labels/imagenet1k.txt";
    private static volatile Labels imagenet;

    private final List<String> names;
    private final List<String> descriptions;

    private Labels(List<String> names, List<String> descriptions) {
        this.names = Collections.unmodifiableList(names);
        this.descriptions = Collections.unmodifiableList(descriptions);
    }

    /** The 1000 ImageNet-1k classes in the standard training index order (0 = "tench"). */
    public static Labels imagenet1k() {
        Labels l = imagenet;
        if (l == null) {
            try (InputStream in = Labels.class.getResourceAsStream(IMAGENET_RESOURCE)) {
                if (in == null)
                    throw new ImageException("labels resource " + IMAGENET_RESOURCE + " is missing from the jar");
                l = parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), IMAGENET_RESOURCE);
            } catch (IOException e) {
                throw new ImageException("cannot read labels resource " + IMAGENET_RESOURCE + ": " + e.getMessage(), e);
            }
            imagenet = l;
        }
        return l;
    }

    /** One label per line (UTF-8); a blank line is an error naming its line number. */
    public static Labels fromFile(Path file) {
        if (!Files.isRegularFile(file)) throw new ImageException(file + ": no such labels file");
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(r, file.toString());
        } catch (IOException e) {
            throw new ImageException(file + ": cannot read labels file: " + e.getMessage(), e);
        }
    }

    private static Labels parse(BufferedReader r, String source) throws IOException {
        List<String> names = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            int tab = line.indexOf('\t');
            String name = (tab < 0 ? line : line.substring(0, tab)).strip();
            if (name.isEmpty()) {
                throw new ImageException(source + ": line " + lineNo + " is blank; every line must name one class");
            }
            names.add(name);
            descriptions.add(tab < 0 ? name : line.substring(tab + 1).strip());
        }
        if (names.isEmpty()) throw new ImageException(source + ": labels file is empty");
        return new Labels(new ArrayList<>(names), new ArrayList<>(descriptions));
    }

    /** Labels given in code (a model that brings its own class names). */
    public static Labels of(List<String> names) {
        return new Labels(new ArrayList<>(names), new ArrayList<>(names));
    }

    public int size() {
        return names.size();
    }

    /** The label of class {@code index}. */
    public String name(int index) {
        check(index);
        return names.get(index);
    }

    /** The text after the tab on that class's line, or the name when there is none. */
    public String description(int index) {
        check(index);
        return descriptions.get(index);
    }

    public List<String> names() {
        return names;
    }

    private void check(int index) {
        if (index < 0 || index >= names.size()) {
            throw new IndexOutOfBoundsException("class index " + index + " outside 0.." + (names.size() - 1));
        }
    }
}
