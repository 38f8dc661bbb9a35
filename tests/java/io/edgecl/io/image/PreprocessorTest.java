package io.edgecl.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PreprocessorTest {
    private static final boolean VERBOSE = Boolean.getBoolean("edgecl.test.verbose");

    static Stream<JsonObject> pillowCases() {
        List<JsonObject> cases = new ArrayList<>();
        for (JsonElement e : Fixtures.json(Fixtures.image("pillow/cases.json")).getAsJsonArray("cases")) {
            cases.add(e.getAsJsonObject());
        }
        return cases.stream();
    }

    /** Fixtures from Pillow 9.4 (tools/gen-preprocess-reference.py): uint8 stage exact, tensor to 1e-6. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pillowCases")
    void matchesTimmEvalOnPillow(JsonObject c) {
        String name = c.get("name").getAsString();
        Preprocessor p = new Preprocessor(
                c.get("height").getAsInt(),
                c.get("width").getAsInt(),
                c.get("crop_pct").getAsDouble(),
                Interpolation.parse(c.get("interpolation").getAsString()),
                floats(c.getAsJsonArray("mean")),
                floats(c.getAsJsonArray("std")));
        RgbImage src =
                ImageDecoder.decode(Fixtures.image("pillow/" + c.get("input").getAsString()));

        RgbImage u8 = p.resizeAndCrop(src);
        byte[] expectedU8 = Fixtures.bytes(Fixtures.image("pillow/" + name + ".u8"));
        assertEquals(c.get("width").getAsInt(), u8.width());
        assertEquals(c.get("height").getAsInt(), u8.height());
        int byteDiff = Fixtures.maxByteDiff(expectedU8, u8.rgb());

        HostTensor t = p.apply(src);
        assertArrayEquals(new int[] {1, 3, u8.height(), u8.width()}, t.shape());
        float[] expected = Fixtures.floats(Fixtures.image("pillow/" + name + ".f32"));
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i] - t.data()[i]));
        if (VERBOSE) System.out.printf("%s: uint8 max|Δ| %d, tensor max|Δ| %.3g%n", name, byteDiff, maxDiff);
        assertEquals(0, byteDiff, name + ": uint8 image after resize + crop differs from Pillow");
        assertTrue(maxDiff <= 1e-6, name + ": tensor max|Δ| " + maxDiff);
    }

    @Test
    void shorterSideGoesToScaleSizeAndLongSideTruncates() {
        assertArrayEquals(new int[] {28, 18}, Preprocessor.resizedSize(37, 23, 18)); // 18·37/23 = 28.96
        assertArrayEquals(new int[] {16, 28}, Preprocessor.resizedSize(23, 41, 16)); // 16·41/23 = 28.52
        assertArrayEquals(new int[] {341, 256}, Preprocessor.resizedSize(640, 480, 256)); // 341.33
        assertArrayEquals(new int[] {256, 384}, Preprocessor.resizedSize(200, 300, 256));
        assertArrayEquals(new int[] {10, 10}, Preprocessor.resizedSize(50, 50, 10));
        assertArrayEquals(new int[] {7, 5}, Preprocessor.resizedSize(3, 2, 5)); // 7.5 truncates
    }

    @Test
    void keepRatioRoundsHalfToEven() {
        // 97x61 into (18, 27): ratio = min(61/18, 97/27) = 3.389; sizes round(28.62) = 29, round(18.0) = 18
        assertArrayEquals(new int[] {29, 18}, Preprocessor.keepRatioSize(97, 61, 18, 27));
        // 5x3 into (2, 2): ratio 1.5 → 3.33 → 3, and 2
        assertArrayEquals(new int[] {3, 2}, Preprocessor.keepRatioSize(5, 3, 2, 2));
        // 10x4 into (8, 8): ratio 0.5 → 20 and 8; 5x2 into (4, 4) → 10 and 4
        assertArrayEquals(new int[] {20, 8}, Preprocessor.keepRatioSize(10, 4, 8, 8));
    }

    @Test
    void cropOffsetIsPythonRound() {
        assertEquals(0, Preprocessor.cropOffset(224, 224));
        assertEquals(1, Preprocessor.cropOffset(226, 224));
        assertEquals(0, Preprocessor.cropOffset(225, 224)); // round(0.5) = 0
        assertEquals(2, Preprocessor.cropOffset(227, 224)); // round(1.5) = 2
        assertEquals(2, Preprocessor.cropOffset(229, 224)); // round(2.5) = 2
        assertEquals(4, Preprocessor.cropOffset(231, 224)); // round(3.5) = 4
        assertEquals(58, Preprocessor.cropOffset(341, 224)); // round(58.5) = 58
    }

    @Test
    void centerCropTakesTheMiddle() {
        RgbImage img = ramp(7, 5);
        RgbImage c = Preprocessor.centerCrop(img, 2, 4); // left round(1.5) = 2, top round(1.5) = 2
        assertEquals(4, c.width());
        assertEquals(2, c.height());
        assertEquals(img.get(2, 2, 0), c.get(0, 0, 0));
        assertEquals(img.get(5, 3, 1), c.get(3, 1, 1));
    }

    @Test
    void centerCropPadsWithZeros() {
        RgbImage img = ramp(2, 3);
        RgbImage c = Preprocessor.centerCrop(img, 4, 5); // pad left 1, right 2, top 0, bottom 1
        assertEquals(5, c.width());
        assertEquals(4, c.height());
        assertEquals(0, c.get(0, 0, 0));
        assertEquals(img.get(0, 0, 0), c.get(1, 0, 0));
        assertEquals(img.get(1, 2, 2), c.get(2, 2, 2));
        assertEquals(0, c.get(3, 0, 0));
        assertEquals(0, c.get(4, 3, 0));
        assertEquals(0, c.get(1, 3, 1));
        // one side padded, the other cropped: 6 wide into 4 after padding 3 high to 5
        RgbImage d = Preprocessor.centerCrop(ramp(6, 3), 5, 4);
        assertEquals(ramp(6, 3).get(1, 0, 0), d.get(0, 1, 0));
        assertEquals(0, d.get(0, 0, 0));
    }

    @Test
    void defaultImagenetTransformOnPhoto() {
        Preprocessor p = new Preprocessor(Preprocess.imagenet(224, 0.875));
        HostTensor t = p.load(Fixtures.image("cat.jpg"));
        assertArrayEquals(new int[] {1, 3, 224, 224}, t.shape());
        HostTensor batch = p.loadBatch(
                List.of(Fixtures.image("cat.jpg"), Fixtures.image("coffee-alpha.png"), Fixtures.image("cat-gray.png")));
        assertArrayEquals(new int[] {3, 3, 224, 224}, batch.shape());
        for (int i = 0; i < t.numel(); i++) assertEquals(t.data()[i], batch.data()[i]);
        // the gray photo's planes differ only by mean/std
        int plane = 224 * 224;
        float[] d = batch.data();
        int off = 2 * 3 * plane;
        float r = d[off + 1000] * 0.229f + 0.485f;
        float g = d[off + plane + 1000] * 0.224f + 0.456f;
        assertEquals(r, g, 1e-6);
    }

    @Test
    void stackChecksShapes() {
        HostTensor a = HostTensor.zeros(1, 3, 4, 4);
        HostTensor b = HostTensor.zeros(1, 3, 4, 5);
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.stack(List.of(a, b)));
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.stack(List.of()));
        assertArrayEquals(
                new int[] {2, 3, 4, 4}, Preprocessor.stack(List.of(a, a)).shape());
    }

    @Test
    void unknownInterpolation() {
        ImageException e = assertThrows(ImageException.class, () -> Interpolation.parse("bogus"));
        assertTrue(e.getMessage().contains("bogus"));
        assertEquals(Interpolation.BICUBIC, Interpolation.parse("BICUBIC"));
    }

    @Test
    void resamplerKeepsFlatImagesFlat() {
        byte[] px = new byte[31 * 17 * 3];
        java.util.Arrays.fill(px, (byte) 200);
        RgbImage flat = new RgbImage(31, 17, px);
        for (Interpolation i : Interpolation.values()) {
            RgbImage r = Resampler.resize(flat, 12, 40, i);
            for (byte b : r.rgb()) assertEquals(200, b & 0xFF, i.id());
        }
    }

    private static RgbImage ramp(int w, int h) {
        byte[] p = new byte[w * h * 3];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i + 1);
        return new RgbImage(w, h, p);
    }

    private static float[] floats(JsonArray a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = a.get(i).getAsFloat();
        return f;
    }
}
