package io.edgecl.io.image;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Paths and readers for tests/resources/images (see its README.md). */
final class Fixtures {
    static final Path IMAGES = Paths.get("tests/resources/images");

    private Fixtures() {}

    static Path image(String name) {
        return IMAGES.resolve(name);
    }

    static JsonObject json(Path p) {
        try {
            return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(Path p) {
        ByteBuffer b = ByteBuffer.wrap(bytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Largest |a[i] - b[i]| over two uint8 arrays. */
    static int maxByteDiff(byte[] a, byte[] b) {
        int m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        return m;
    }
}
