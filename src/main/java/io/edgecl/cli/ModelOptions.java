package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.models.DemoModel;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Which model and which weights: shared by predict, classify, bench, profile and eval. */
public final class ModelOptions {
    static final class Which {
        @Option(names = {"-m", "--model"}, paramLabel = "NAME", description = "A registered model (see `edgecl models`).")
        String name;

        @Option(names = "--model-config", paramLabel = "FILE.json",
                description = "A model spec: {\"model\": NAME} or {\"family\": ..., constructor arguments}.")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Which which;

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE",
            description = "Weights: timm model.safetensors or an official .pth/.pt checkpoint.")
    Path weights;

    @Option(names = "--key-format", paramLabel = "auto|timm|official|torchvision", defaultValue = "auto",
            description = "Key layout of the weights file (default: detected from the keys).")
    String keyFormat;

    @Option(names = "--no-fuse", arity = "0..1", fallbackValue = "all", paramLabel = "RULE", split = ",",
            description = "Switch fusion off: all rules, or the named ones (gemm-act, gemm-scale-residual, dwconv-ln, "
                    + "sdta-cascade, attention).")
    List<String> noFuse;

    /** True when the user named a model or a config. */
    public boolean given() {
        return which != null && (which.name != null || which.config != null);
    }

    /** The named model, or the embedded demo model when none is named and no weights are given. */
    public VisionModel modelOrDemo() {
        if (!given() && weights == null) return DemoModel.load();
        return model();
    }

    /** Weights for {@link #modelOrDemo()}. */
    public Weights weightsOrDemo() {
        if (!given() && weights == null) return DemoModel.weights();
        return weights(false, false);
    }

    public VisionModel model() {
        if (!given()) throw new EdgeClException("name a model with -m NAME or --model-config FILE.json");
        return which.name != null ? Models.byName(which.name) : Models.fromFile(which.config);
    }

    public Weights weights(boolean allowRandom, boolean random) {
        if (weights != null) return ModelWeights.load(weights, keyFormat);
        if (given() && which.name != null && Models.byName(which.name) instanceof DemoModel) return DemoModel.weights();
        if (allowRandom && random) return Weights.synthetic(0L);
        throw new EdgeClException("give the weights with -w FILE" + (allowRandom ? " (or --random-weights)" : ""));
    }

    public Set<String> disabledRules() {
        Set<String> out = new HashSet<>();
        if (noFuse == null) return out;
        for (String r : noFuse) {
            if (r.equals("all")) out.addAll(FusionScheduler.RULES);
            else out.add(r);
        }
        FusionScheduler.validate(out);
        return out;
    }
}
