package io.edgecl.api;

import io.edgecl.EdgeClException;
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

/**
 * Which model and which weights, as the command line names them: a registered name or a hub id
 * ({@code timm/NAME.TAG}), a spec (a file or JSON text), a weights file or a timm hub folder.
 * With nothing named, the commands use their embedded demo model. The CLI and the Spark
 * Transformer resolve models through this one class, so both read the same files the same way.
 *
 * <pre>{@code
 * ModelSource src = ModelSource.of("edgenext_xx_small", null, Path.of("model.safetensors"));
 * try (Session s = Session.open(src.model(), src.weights(), SessionOptions.defaults())) { ... }
 * }</pre>
 */
public final class ModelSource {
    private final String name;
    private final Path configFile;
    private final String specJson;
    private final Path weights;
    private final String keyFormat;
    private HubFolder.Resolved hub;
    private boolean hubLooked;

    private ModelSource(String name, Path configFile, String specJson, Path weights, String keyFormat) {
        this.name = name;
        this.configFile = configFile;
        this.specJson = specJson;
        this.weights = weights;
        this.keyFormat = keyFormat == null ? "auto" : keyFormat;
    }

    /**
     * A model by name (or hub id), a spec as JSON text, or neither; weights (file or hub folder)
     * or none. Null means "not given".
     */
    public static ModelSource of(String name, String specJson, Path weights) {
        return new ModelSource(name, null, specJson, weights, "auto");
    }

    /** As the CLI gives it: {@code -m}, {@code --model-config FILE}, {@code -w}, {@code --key-format}. */
    public static ModelSource fromOptions(String name, Path configFile, Path weights, String keyFormat) {
        return new ModelSource(name, configFile, null, weights, keyFormat);
    }

    /** The same source with another key layout (auto, timm, official, torchvision). */
    public ModelSource withKeyFormat(String format) {
        return new ModelSource(name, configFile, specJson, weights, format);
    }

    /** True when a model is named (a name, a spec file or spec text). */
    public boolean given() {
        int n = (name != null ? 1 : 0) + (configFile != null ? 1 : 0) + (specJson != null ? 1 : 0);
        if (n > 1) {
            throw new EdgeClException("give either -m " + name + " or --model-config "
                    + (configFile != null ? configFile : "(a spec)") + ", not both");
        }
        return n == 1;
    }

    /**
     * The model and weights a hub id, a hub folder or a weights file with config.json beside it
     * describe; null when none applies. A model named outright wins over a config.json found
     * beside the weights.
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
    public boolean demo() {
        return !given() && weights == null;
    }

    /** The named model, or the embedded demo classifier when nothing is named. */
    public VisionModel modelOrDemo() {
        return demo() ? DemoModel.load() : model();
    }

    /** Weights for {@link #modelOrDemo()}. */
    public Weights weightsOrDemo() {
        return demo() ? DemoModel.weights() : weights(false, false);
    }

    /** The named model, or the embedded demo segmenter when nothing is named. */
    public VisionModel segmenterOrDemo() {
        return demo() ? DemoSegmenter.load() : model();
    }

    /** Weights for {@link #segmenterOrDemo()}. */
    public Weights segmenterWeightsOrDemo() {
        return demo() ? DemoSegmenter.weights() : weights(false, false);
    }

    /** The named model, or the embedded demo detector when nothing is named. */
    public VisionModel detectorOrDemo() {
        return demo() ? DemoDetector.load() : model();
    }

    /** Weights for {@link #detectorOrDemo()}. */
    public Weights detectorWeightsOrDemo() {
        return demo() ? DemoDetector.weights() : weights(false, false);
    }

    /** The named model; an error naming what to give when none is named. */
    public VisionModel model() {
        if (hub() != null) return hub().model();
        if (!given()) {
            throw new EdgeClException("name a model with -m NAME (or a hub id such as timm/edgenext_xx_small.in1k) or "
                    + "--model-config FILE.json, or give -w a timm hub folder with config.json");
        }
        if (name != null) return Models.byName(name);
        if (configFile != null) return Models.fromFile(configFile);
        return Models.fromJson(specJson, "the model spec");
    }

    /** The weights given (a file, a hub folder's), a named demo's embedded ones, or random ones when allowed. */
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
}
