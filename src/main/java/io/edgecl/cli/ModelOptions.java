package io.edgecl.cli;

import io.edgecl.api.Fusion;
import io.edgecl.api.ModelSource;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Which model and which weights: shared by predict, classify, bench, profile, eval, tune and
 * export-onnx as a mixin. {@code -m} and {@code --model-config} are plain options checked for
 * exclusion here: picocli lists an argument group inside a mixin twice in {@code --help}.
 */
public final class ModelOptions {
    @Option(
            names = {"-m", "--model"},
            paramLabel = "NAME",
            description = "A registered model (see `edgecl models`).")
    String name;

    @Option(
            names = "--model-config",
            paramLabel = "FILE.json",
            description = "A model spec: {\"model\": NAME} or {\"family\": ..., constructor arguments}; not with -m.")
    Path config;

    @Option(
            names = {"-w", "--weights"},
            paramLabel = "FILE",
            description = "Weights: timm model.safetensors or an official .pth/.pt checkpoint; a timm hub folder, "
                    + "or a file with timm's config.json beside it, also gives the model and its preprocessing.")
    Path weights;

    @Option(
            names = "--key-format",
            paramLabel = "auto|timm|official|torchvision",
            defaultValue = "auto",
            description = "Key layout of the weights file (default: detected from the keys).")
    String keyFormat;

    @Option(
            names = "--no-fuse",
            arity = "0..1",
            fallbackValue = "all",
            paramLabel = "RULE",
            split = ",",
            description = "Switch fusion off: all rules, or the named ones (gemm-act, gemm-scale-residual, dwconv-ln, "
                    + "sdta-cascade, attention, conv-act, se-gate, expand-dw, se-excite, se-pool, dw-gemm).")
    List<String> noFuse;

    private ModelSource source;

    /** What the options name, resolved once (a hub id downloads once). */
    public ModelSource source() {
        if (source == null) source = ModelSource.fromOptions(name, config, weights, keyFormat);
        return source;
    }

    /** True when the user named a model or a config. */
    public boolean given() {
        return source().given();
    }

    /** The named model, or the embedded demo model when none is named and no weights are given. */
    public VisionModel modelOrDemo() {
        return source().modelOrDemo();
    }

    /** Weights for {@link #modelOrDemo()}. */
    public Weights weightsOrDemo() {
        return source().weightsOrDemo();
    }

    /** The named model, or the embedded demo segmenter when none is named and no weights are given. */
    public VisionModel segmenterOrDemo() {
        return source().segmenterOrDemo();
    }

    /** Weights for {@link #segmenterOrDemo()}. */
    public Weights segmenterWeightsOrDemo() {
        return source().segmenterWeightsOrDemo();
    }

    /** The named model, or the embedded demo detector when none is named and no weights are given. */
    public VisionModel detectorOrDemo() {
        return source().detectorOrDemo();
    }

    /** Weights for {@link #detectorOrDemo()}. */
    public Weights detectorWeightsOrDemo() {
        return source().detectorWeightsOrDemo();
    }

    public VisionModel model() {
        return source().model();
    }

    public Weights weights(boolean allowRandom, boolean random) {
        return source().weights(allowRandom, random);
    }

    public Set<Fusion> disabledRules() {
        Set<Fusion> out = EnumSet.noneOf(Fusion.class);
        if (noFuse == null) return out;
        for (String r : noFuse) {
            if (r.equals("all")) out.addAll(Fusion.all());
            else out.add(Fusion.parse(r));
        }
        return out;
    }
}
