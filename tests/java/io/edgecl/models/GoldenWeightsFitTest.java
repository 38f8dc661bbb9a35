package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.TestSupport;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every weights file of the reference fixtures loads into its case's spec with no missing or
 * unexpected key and no shape mismatch, and the model counts the upstream's parameters.
 */
class GoldenWeightsFitTest {
    static Stream<String> cases() throws IOException {
        Path root = TestSupport.shared().resolve("golden");
        if (!Files.isDirectory(root)) {
            // a visible skip rather than an empty run
            return Stream.of("<" + root + " absent>");
        }
        try (Stream<Path> s = Files.list(root)) {
            List<String> names = s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void weightsFitTheSpec(String name) {
        GoldenCase gc = GoldenCase.load(name.startsWith("<") ? "absent" : name);
        VisionModel model = Models.fromSpec(gc.spec());
        Weights w = ModelWeights.load(gc.weights(), gc.keyFormat());
        HostTensor input = gc.io().get("input");
        model.build(w, input.dim(0), input.dim(2), input.dim(3));
        w.finish();
        assertEquals(gc.numParams(), w.paramCount(), name + ": parameter count");
    }
}
