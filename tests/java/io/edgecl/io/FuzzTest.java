package io.edgecl.io;

import static org.junit.jupiter.api.Assertions.fail;

import io.edgecl.EdgeClException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random mutations of small valid files: each must load or fail with a typed error, nothing else. */
class FuzzTest {
    private static final int MUTATIONS = 300;

    @TempDir
    Path dir;

    static byte[] mutate(byte[] src, Random r) {
        byte[] b = src.clone();
        int kind = r.nextInt(5);
        switch (kind) {
            case 0 -> { // flip a few bytes
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncate
            case 2 -> { // small integer-ish bumps, which keep structure but skew lengths and offsets
                int i = r.nextInt(b.length);
                b[i] = (byte) (b[i] + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(3)));
            }
            case 3 -> { // duplicate a slice in place
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(16));
                int to = r.nextInt(b.length - len + 1);
                System.arraycopy(src, from, b, to, len);
            }
            default -> { // drop a byte from the middle
                int i = r.nextInt(b.length);
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, i);
                System.arraycopy(b, i + 1, c, i, b.length - i - 1);
                b = c;
            }
        }
        return b;
    }

    private void loadOrTypedError(Path p, String what) {
        try (WeightFile f = WeightFile.open(p)) {
            f.readAll();
        } catch (EdgeClException e) {
            if (!(e instanceof WeightFileException)) fail(what + ": unexpected exception type", e);
            if (e.getMessage() == null || e.getMessage().isBlank()) fail(what + ": empty message");
        } catch (Throwable t) {
            fail(what + ": untyped failure " + t, t);
        }
    }

    @Test
    void safetensorsMutations() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensorsWriter.write(good, SafeTensorsTest.sample(), java.util.Map.of("k", "v"));
        byte[] src = Files.readAllBytes(good);
        Random r = new Random(20240611L);
        Path p = dir.resolve("m.safetensors");
        for (int i = 0; i < MUTATIONS; i++) {
            Files.write(p, mutate(src, r));
            loadOrTypedError(p, "safetensors mutation " + i);
        }
    }

    @Test
    void checkpointMutations() throws IOException {
        byte[] src = Files.readAllBytes(TinyPth.training(dir, "good.pth", ""));
        Random r = new Random(77L);
        Path p = dir.resolve("m.pth");
        for (int i = 0; i < MUTATIONS; i++) {
            Files.write(p, mutate(src, r));
            loadOrTypedError(p, "zip mutation " + i);
        }
    }

    @Test
    void pickleMutationsInsideAValidZip() throws IOException {
        byte[] pickle = TinyPth.trainingPickle("");
        Random r = new Random(5L);
        Path p = dir.resolve("pk.pth");
        for (int i = 0; i < MUTATIONS; i++) {
            TinyPth.zip(p, mutate(pickle, r), TinyPth.trainingStorages());
            loadOrTypedError(p, "pickle mutation " + i);
        }
    }
}
