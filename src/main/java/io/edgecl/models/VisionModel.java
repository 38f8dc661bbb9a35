package io.edgecl.models;

import io.edgecl.graph.Graph;
import io.edgecl.io.image.Preprocess;
import java.util.List;

/** A configured network of some family: builds its block graph from weights for an input shape. */
public interface VisionModel {
    /** The registered (timm / upstream) name, or "custom &lt;family&gt;" for a configuration. */
    String name();

    String family();

    int numClasses();

    /** Eval preprocessing (default input size, crop, interpolation, normalization). */
    Preprocess preprocess();

    /** Names of the per-stage outputs, in order ("features.0", ...). */
    List<String> featureNames();

    /** Throws {@link ModelSpecException} when the architecture cannot take this input size. */
    void checkInput(int channels, int h, int w);

    /**
     * Builds the graph: outputs "logits" and each feature name. Asks {@code weights} for every
     * parameter; call {@link Weights#finish()} afterwards to report what did not fit.
     */
    Graph build(Weights weights, int batch, int h, int w);

    /**
     * The network as a backbone, timm's {@code features_only}: the input and the stage outputs
     * "features.0", ... ({@link #featureNames}), without the classifier head and without asking
     * for its weights. Heads built on a backbone add their nodes to this graph.
     *
     * @throws ModelSpecException for a model that is not a backbone (a segmenter or detector)
     */
    default Graph buildFeatures(Weights weights, int batch, int h, int w) {
        throw new ModelSpecException(name() + " is not a backbone: it has no feature extractor to build a head on");
    }

    /**
     * The output the model exists for: "logits" [N, classes] for a classifier, "out" [N, classes,
     * H, W] for a segmenter.
     */
    default String primaryOutput() {
        return "logits";
    }

    /**
     * Every output of the model's head, under its upstream names: the primary output, and for a
     * detector its box offsets beside the class logits.
     */
    default List<String> headOutputs() {
        return List.of(primaryOutput());
    }

    /** Class names when the model brings its own (null: ImageNet-1k, or give --labels). */
    default List<String> labels() {
        return null;
    }

    /** Parameters and multiply-accumulates per image at an input size. */
    record Size(long params, long macs) {}

    /** Counts parameters and MACs for one image of h × w (builds the graph with placeholder weights; no device). */
    default Size size(int h, int w) {
        Weights ws = Weights.synthetic(null);
        Graph g = build(ws, 1, h, w);
        return new Size(ws.paramCount(), g.macs());
    }

    /**
     * The input size {width, height} a segmenter runs an image of {@code width} × {@code height}
     * at, given the short side asked for: torchvision's transforms keep the aspect ratio.
     */
    default int[] segmentationInput(int width, int height, int shortSide) {
        return io.edgecl.io.image.Preprocessor.resizedSize(width, height, shortSide);
    }

    /** The state-dict key layout the canonical names follow ("timm" or "official"). */
    default String canonicalKeyFormat() {
        return "timm";
    }
}
