package io.edgecl.models;

import io.edgecl.graph.Graph;
import io.edgecl.io.image.Preprocess;
import java.util.List;

/** A model whose spec carries its own preprocessing and class names (see {@link DataConfig}). */
class ConfiguredModel implements VisionModel {
    private final VisionModel net;
    private final Preprocess preprocess;
    private final List<String> labels;

    ConfiguredModel(VisionModel net, Preprocess preprocess, List<String> labels) {
        this.net = net instanceof ConfiguredModel c ? c.net : net;
        this.preprocess = preprocess;
        this.labels = labels;
    }

    @Override
    public String name() {
        return net.name();
    }

    @Override
    public String family() {
        return net.family();
    }

    @Override
    public int numClasses() {
        return net.numClasses();
    }

    @Override
    public Preprocess preprocess() {
        return preprocess;
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public List<String> featureNames() {
        return net.featureNames();
    }

    @Override
    public void checkInput(int channels, int h, int w) {
        net.checkInput(channels, h, w);
    }

    @Override
    public Graph build(Weights weights, int batch, int h, int w) {
        return net.build(weights, batch, h, w);
    }

    @Override
    public Graph buildFeatures(Weights weights, int batch, int h, int w) {
        return net.buildFeatures(weights, batch, h, w);
    }

    @Override
    public String canonicalKeyFormat() {
        return net.canonicalKeyFormat();
    }

    @Override
    public String primaryOutput() {
        return net.primaryOutput();
    }

    @Override
    public List<String> headOutputs() {
        return net.headOutputs();
    }

    @Override
    public int[] segmentationInput(int width, int height, int shortSide) {
        return net.segmentationInput(width, height, shortSide);
    }
}
