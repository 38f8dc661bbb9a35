package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.api.ModelExport;
import io.edgecl.io.OutputFiles;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code edgecl export-onnx}: the same network and weights as an ONNX file, for side-by-side runs. */
@Command(
        name = "export-onnx",
        mixinStandardHelpOptions = true,
        description = "Write the model (unfused, NCHW, opset 17, fixed input shape) as ONNX, e.g. to run the same "
                + "weights in ONNX Runtime.")
public final class ExportOnnxCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--random-weights", description = "Random weights of the right shapes (no -w needed).")
    boolean randomWeights;

    @Option(names = "--size", paramLabel = "S", description = "Input size (default: the model's).")
    Integer size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Batch size (default: 1).")
    int batch;

    @Option(
            names = {"-o", "--out"},
            required = true,
            paramLabel = "FILE.onnx",
            description = "Where to write.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        VisionModel model = modelOptions.model();
        Weights w = modelOptions.weights(true, randomWeights);
        int s = size != null ? size : model.preprocess().size();
        if (batch <= 0) throw new EdgeClException("--batch must be positive, got " + batch);
        byte[] bytes = ModelExport.onnx(model, w, batch, s, s);
        OutputFiles.write(out, tmp -> Files.write(tmp, bytes));
        spec.commandLine()
                .getErr()
                .printf("%s [%d, 3, %d, %d] -> %s (%d bytes)%n", model.name(), batch, s, s, out, bytes.length);
        return 0;
    }
}
