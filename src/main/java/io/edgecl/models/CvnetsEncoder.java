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
 * names, and its last two stages are layer_4 and layer_5 (strides 16 and 32; ConvNeXt and the
 * MobileNet / EfficientNet families dilate them below a smaller output stride as timm does).
 */
final class CvnetsEncoder {
    private final VisionModel model;
    /** The backbone's spec, to build it again at another output stride. */
    private final JsonObject spec;

    private CvnetsEncoder(VisionModel model, JsonObject spec) {
        this.model = model;
        this.spec = spec;
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
        return new CvnetsEncoder(m, backbone.deepCopy());
    }

    VisionModel model() {
        return model;
    }

    boolean isMobileViT() {
        return model instanceof MobileViT;
    }

    /**
     * This encoder at an output stride (8, 16 or 32): MobileViT dilates as ml-cvnets does when
     * built; another backbone is made again from its spec with timm's "output_stride" (ConvNeXt,
     * the MobileNets and EfficientNets), and one that has no dilated form is refused.
     */
    CvnetsEncoder at(String task, int outputStride) {
        if (outputStride == 32 || isMobileViT()) return this;
        JsonObject dilated = spec.deepCopy();
        dilated.addProperty("output_stride", outputStride);
        try {
            return new CvnetsEncoder(Models.fromSpec(dilated), spec);
        } catch (ModelSpecException e) {
            throw new ModelSpecException(task + " configuration: 'output_stride' " + outputStride + " needs a dilated "
                    + model.name() + ", which it has no form of (as in timm); its output stride is 32");
        }
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
        // the last two stages (strides 16 and 32, or less where dilated, as at() built them)
        Graph g = model.buildFeatures(w.under("encoder."), batch, h, wd);
        List<String> names = model.featureNames();
        if (names.size() < 2) throw new ModelSpecException(model.name() + " has fewer than two stages to build on");
        Value l4 = g.outputs().get(names.get(names.size() - 2)),
                l5 = g.outputs().get(names.get(names.size() - 1));
        for (String n : names) g.removeOutput(n);
        return new Built(g, l4, l5);
    }

    String name() {
        return model.name();
    }
}
