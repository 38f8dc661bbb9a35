package io.edgecl.models;

import com.google.gson.JsonObject;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Value;
import java.util.List;

/**
 * The image encoder under ml-cvnets' heads (keys under "encoder."), given in a spec as
 * {"model": a registered backbone} or as any classifier's spec. MobileViT is built as ml-cvnets builds it: its layer_4 and
 * layer_5 maps (layer_5 before the 1x1 expansion), the last stages dilated below the output
 * stride. Any other backbone is built as timm's {@code features_only} gives it, under timm's
 * names, and its last two resolutions are layer_4 and layer_5 (strides 16 and 32); those have no
 * dilation in timm, so their output stride is 32.
 */
final class CvnetsEncoder {
    private final VisionModel model;

    private CvnetsEncoder(VisionModel model) {
        this.model = model;
    }

    /**
     * From the spec's "backbone" object of a {@code task} configuration: {"model": a registered
     * name}, or any classifier's spec ({"family": "edgevit", "depth": [...], ...}).
     */
    static CvnetsEncoder fromSpec(String task, JsonObject backbone) {
        VisionModel m = Models.fromSpec(backbone);
        String name = m.name();
        if (m.family().equals("segmentation") || m.family().equals("detection")) {
            throw new ModelSpecException(task + " configuration: backbone '" + name + "' is a " + m.family()
                    + " model; a head takes a classification backbone (e.g. mobilevit_xs, edgenext_small)");
        }
        return new CvnetsEncoder(m);
    }

    VisionModel model() {
        return model;
    }

    boolean isMobileViT() {
        return model instanceof MobileViT;
    }

    /** The output strides the encoder can be built at: 8, 16 and 32 for MobileViT, 32 for the rest. */
    boolean supports(int outputStride) {
        return outputStride == 32 || isMobileViT() && (outputStride == 8 || outputStride == 16);
    }

    /** Throws {@link ModelSpecException} when the encoder cannot take an input of h × w. */
    void checkInput(String owner, int channels, int h, int w) {
        model.checkInput(channels, h, w);
        if (!isMobileViT() && (h % 32 != 0 || w % 32 != 0)) {
            throw new ModelSpecException("input size " + h + "x" + w + " is not supported by " + owner
                    + ": on " + model.name() + " each side must be a multiple of 32, so that its stride-16 and"
                    + " stride-32 maps are exact");
        }
    }

    /** A graph holding the encoder over its input, and the two maps the head reads. */
    record Built(Graph graph, Value l4, Value l5) {}

    Built build(Weights w, int batch, int h, int wd, int outputStride) {
        if (model instanceof MobileViT mv) {
            Graph g = new Graph();
            Value x = g.input("input", batch, h, wd, 3);
            List<Value> maps = mv.encoder(g, w, "encoder.", x, outputStride);
            return new Built(g, maps.get(maps.size() - 2), maps.get(maps.size() - 1));
        }
        if (outputStride != 32) {
            throw new ModelSpecException(model.name() + " has no dilated form: its output stride is 32");
        }
        Graph g = model.buildFeatures(w.under("encoder."), batch, h, wd);
        List<String> names = model.featureNames();
        Value l5 = g.outputs().get(names.get(names.size() - 1)), l4 = null;
        for (int i = names.size() - 2; i >= 0 && l4 == null; i--) {
            Value v = g.outputs().get(names.get(i));
            if (v.h() > l5.h()) l4 = v;
        }
        if (l4 == null || l4.h() != 2 * l5.h() || l4.w() != 2 * l5.w()) {
            throw new ModelSpecException(model.name() + " has no stride-16 map beside its stride-32 one to build on");
        }
        for (String n : names) g.removeOutput(n);
        return new Built(g, l4, l5);
    }

    String name() {
        return model.name();
    }
}
