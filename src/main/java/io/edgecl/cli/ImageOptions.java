package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.io.image.Interpolation;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocess;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Preprocessing overrides and labels, shared by classify and eval. */
public final class ImageOptions {
    @Option(names = "--size", paramLabel = "S", description = "Input size (default: the model's).")
    Integer size;

    @Option(names = "--crop-pct", paramLabel = "F", description = "Center crop fraction (default: the model's).")
    Double cropPct;

    @Option(
            names = "--interpolation",
            paramLabel = "bicubic|bilinear|nearest",
            description = "Resize filter (default: the model's).")
    String interpolation;

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            description = "Class names, one per line (default: the model's, " + "else ImageNet-1k).")
    Path labels;

    public Preprocess preprocess(VisionModel m) {
        Preprocess p = m.preprocess();
        if (size != null) {
            if (size <= 0) throw new EdgeClException("--size must be positive, got " + size);
            p = p.withSize(size);
        }
        if (cropPct != null) {
            if (!(cropPct > 0 && cropPct <= 4))
                throw new EdgeClException("--crop-pct must be in (0, 4], got " + cropPct);
            p = p.withCropPct(cropPct);
        }
        if (interpolation != null)
            p = p.withInterpolation(Interpolation.parse(interpolation).id());
        return p;
    }

    public Preprocessor preprocessor(VisionModel m) {
        Preprocess p = preprocess(m);
        m.checkInput(3, p.size(), p.size());
        return new Preprocessor(p);
    }

    public Labels labels(VisionModel m) {
        return labels(m, null);
    }

    /**
     * The class names: --labels, else the model's, else ImageNet-1k for a 1000-class model, else
     * {@code fallback} (an image folder's class names) when it names no more classes than the model has.
     */
    public Labels labels(VisionModel m, java.util.List<String> fallback) {
        if (fallback != null && labels == null) {
            boolean own = m.labels() != null && m.labels().size() == m.numClasses();
            boolean imagenet = m.labels() == null && m.numClasses() == 1000;
            if (!own && !imagenet && fallback.size() <= m.numClasses()) {
                java.util.List<String> names = new java.util.ArrayList<>(fallback);
                for (int i = names.size(); i < m.numClasses(); i++) names.add("class " + i);
                return Labels.of(names);
            }
        }
        Labels l;
        if (labels != null) l = Labels.fromFile(labels);
        else if (m.labels() != null) l = Labels.of(m.labels());
        else l = Labels.imagenet1k();
        if (l.size() != m.numClasses()) {
            throw new EdgeClException("the labels name " + l.size() + " classes but " + m.name() + " has "
                    + m.numClasses() + (labels != null ? " (" + labels + ")" : " (give --labels FILE)"));
        }
        return l;
    }
}
