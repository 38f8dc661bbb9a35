package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.api.Session;
import io.edgecl.io.OutputFiles;
import io.edgecl.io.SafeTensorsWriter;
import io.edgecl.io.WeightFile;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgecl predict}: preprocessed NCHW batches in, the model's output (logits, or a
 * segmenter's dense scores 'out') and optionally features out, as safetensors.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Run the tensor 'input' (NCHW float32) of a safetensors file; write the model's output "
                + "under their upstream names ('logits' [N, classes]; a segmenter's 'out' [N, classes, H, W]; a detector's "
                + "'bbox_regression' [N, anchors, 4] and 'cls_logits' [N, anchors, classes]) "
                + "and, with --features, each stage's output to another.")
public final class PredictCommand extends SessionCommand {
    @Option(
            names = "--tensors",
            required = true,
            paramLabel = "IN.safetensors",
            description = "Holds 'input' [N, C, H, W].")
    Path tensors;

    @Option(names = "--input-key", defaultValue = "input", description = "Tensor name of the input (default: input).")
    String inputKey;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "OUT.safetensors",
            description = "Where to write the outputs.")
    Path out;

    @Option(names = "--features", description = "Also write each stage's output (features.<i>, NCHW).")
    boolean features;

    @Option(names = "--force", description = "Replace --out if it exists (never one of the inputs).")
    boolean force;

    @Override
    public Integer call() {
        OutputFiles.checkTarget(out, "--out", force, tensors, modelOptions.weights, modelOptions.config);
        var model = modelOptions.model();
        HostTensor input;
        if (!java.nio.file.Files.isRegularFile(tensors)) {
            throw new EdgeClException("--tensors " + tensors + ": no such file");
        }
        try (WeightFile f = WeightFile.open(tensors)) {
            if (!f.tensors().containsKey(inputKey)) {
                throw new EdgeClException(tensors + " has no tensor '" + inputKey + "' (it has: "
                        + String.join(", ", f.tensors().keySet()) + ")");
            }
            input = f.read(inputKey);
        }
        var weights = modelOptions.weights(false, false);
        try (Session s = Session.open(model, weights, sessionOptions())) {
            long t0 = System.nanoTime();
            Map<String, HostTensor> result = s.run(
                            input,
                            features
                                    ? Set.copyOf(s.outputNames())
                                    : Set.of(s.model().primaryOutput()))
                    .asMap();
            long t1 = System.nanoTime();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", model.name());
            meta.put("device", s.device().name());
            SafeTensorsWriter.write(out, result, meta);
            spec.commandLine()
                    .getErr()
                    .printf(
                            "%s: %s on %s, batch %d, %.1f ms (first run, includes setup) -> %s%n",
                            model.name(), input.shapeString(), s.device().name(), input.dim(0), (t1 - t0) / 1e6, out);
        }
        return 0;
    }
}
