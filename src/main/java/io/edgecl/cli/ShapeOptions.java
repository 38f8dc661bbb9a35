package io.edgecl.cli;

import picocli.CommandLine.Option;

/** The input shape options of the commands that run a model at a size: --size and --batch. */
public class ShapeOptions {
    @Option(names = "--size", paramLabel = "S", description = "Input height and width (default: the model's).")
    Integer size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Batch size (default: 1).")
    int batch;

    /** The input height and width: --size, else {@code modelDefault}. */
    int size(int modelDefault) {
        int s = size != null ? size : modelDefault;
        if (s <= 0) throw new io.edgecl.EdgeClException("--size must be positive, got " + s);
        return s;
    }
}
