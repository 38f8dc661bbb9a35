package io.edgecl.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.api.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights reach the executors through SparkContext.addFile: a file, and a hub folder with its config. */
class WeightsShippingTest {
    @Test
    void aShippedFileAndFolderArriveWhole(@TempDir Path dir) throws Exception {
        SparkContext sc = SparkTests.spark().sparkContext();
        Path file = dir.resolve("demo-weights.safetensors");
        Files.copy(io.edgecl.models.DemoModel.weightsFile(), file);
        String where = WeightsShipping.ship(sc, file.toString(), true);
        Path got = WeightsShipping.locate(where);
        assertNotEquals(file, got, "a copy, not the original");
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(got));
        // the copy loads as the original does
        assertEquals(
                ModelSource.of(null, null, null).weightsOrDemo().keys(),
                ModelSource.of(io.edgecl.models.DemoModel.NAME, null, got)
                        .weights(false, false)
                        .keys());

        Path hub = Files.createDirectories(dir.resolve("hub-folder"));
        Files.writeString(hub.resolve("config.json"), "{\"architecture\": \"edgenext_xx_small\"}");
        Files.copy(file, hub.resolve("model.safetensors"));
        Path folder =
                WeightsShipping.locate(WeightsShipping.ship(sc, hub.toUri().toString(), true));
        assertTrue(Files.isRegularFile(folder.resolve("config.json")), folder.toString());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(folder.resolve("model.safetensors")));
    }

    @Test
    void missingWeightsAreNamed(@TempDir Path dir) {
        SparkContext sc = SparkTests.spark().sparkContext();
        EdgeClException e = assertThrows(
                EdgeClException.class,
                () -> WeightsShipping.ship(sc, dir.resolve("nope.safetensors").toString()));
        assertTrue(
                e.getMessage().contains("nope.safetensors") && e.getMessage().contains("do not exist"), e.getMessage());
    }
}
