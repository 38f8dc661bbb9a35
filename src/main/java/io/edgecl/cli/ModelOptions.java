package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.api.Fusion;
import io.edgecl.models.DemoDetector;
import io.edgecl.models.DemoModel;
import io.edgecl.models.DemoSegmenter;
import io.edgecl.models.HubFolder;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.nio.file.Files;
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
                    + "sdta-cascade, attention, conv-act, se-gate, expand-dw, se-excite).")
    List<String> noFuse;

    /** True when the user named a model or a config. */
    public boolean given() {
        if (name != null && config != null) {
            throw new EdgeClException("give either -m " + name + " or --model-config " + config + ", not both");
        }
        return name != null || config != null;
    }

    private HubFolder.Resolved hub;
    private boolean hubLooked;

    /**
     * The model and weights a hub id ({@code -m timm/NAME.TAG}), a hub folder ({@code -w DIR}) or
     * a weights file with config.json beside it describe; null when none applies. A model named
     * with -m or --model-config wins over a config.json found beside the weights.
     */
    private HubFolder.Resolved hub() {
        if (hubLooked) return hub;
        hubLooked = true;
        if (name != null && HubFolder.isHubId(name)) {
            hub = HubFolder.fromHub(name);
        } else if (!given() && weights != null) {
            if (Files.isDirectory(weights)) {
                hub = HubFolder.folder(weights);
            } else {
                Path cfg = HubFolder.configFor(weights);
                if (cfg != null) hub = new HubFolder.Resolved(HubFolder.model(cfg), weights, cfg);
            }
        }
        return hub;
    }

    /** No model named and no weights given: the commands then use their embedded demo. */
    private boolean demo() {
        return !given() && weights == null;
    }

    /** The named model, or the embedded demo model when none is named and no weights are given. */
    public VisionModel modelOrDemo() {
        return demo() ? DemoModel.load() : model();
    }

    /** Weights for {@link #modelOrDemo()}. */
    public Weights weightsOrDemo() {
        return demo() ? DemoModel.weights() : weights(false, false);
    }

    /** The named model, or the embedded demo segmenter when none is named and no weights are given. */
    public VisionModel segmenterOrDemo() {
        return demo() ? DemoSegmenter.load() : model();
    }

    /** Weights for {@link #segmenterOrDemo()}. */
    public Weights segmenterWeightsOrDemo() {
        return demo() ? DemoSegmenter.weights() : weights(false, false);
    }

    /** The named model, or the embedded demo detector when none is named and no weights are given. */
    public VisionModel detectorOrDemo() {
        return demo() ? DemoDetector.load() : model();
    }

    /** Weights for {@link #detectorOrDemo()}. */
    public Weights detectorWeightsOrDemo() {
        return demo() ? DemoDetector.weights() : weights(false, false);
    }

    public VisionModel model() {
        if (hub() != null) return hub().model();
        if (!given()) {
            throw new EdgeClException("name a model with -m NAME (or a hub id such as timm/edgenext_xx_small.in1k) or "
                    + "--model-config FILE.json, or give -w a timm hub folder with config.json");
        }
        return name != null ? Models.byName(name) : Models.fromFile(config);
    }

    public Weights weights(boolean allowRandom, boolean random) {
        if (weights != null) {
            Path file = Files.isDirectory(weights) ? HubFolder.weightsIn(weights, weights.toString()) : weights;
            return ModelWeights.load(file, keyFormat);
        }
        if (hub() != null) return ModelWeights.load(hub().weights(), keyFormat);
        // an embedded demo named with -m brings its weights
        Weights embedded = name != null ? Models.embeddedWeights(name) : null;
        if (embedded != null) return embedded;
        if (allowRandom && random) return Weights.synthetic(0L);
        throw new EdgeClException("give the weights with -w FILE" + (allowRandom ? " (or --random-weights)" : ""));
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
