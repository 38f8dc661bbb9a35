package io.edgecl.io.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.edgecl.EdgeClException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImageDecoderTest {
    @TempDir
    Path tmp;

    static Stream<String> decodeCases() {
        List<String> names = new ArrayList<>();
        for (JsonElement e : Fixtures.json(Fixtures.image("decode/cases.json")).getAsJsonArray("cases")) {
            names.add(e.getAsJsonObject().get("file").getAsString());
        }
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("decodeCases")
    void matchesPilConvertRgb(String file) {
        RgbImage img = ImageDecoder.decode(Fixtures.image("decode/" + file));
        JsonObject c = null;
        for (JsonElement e : Fixtures.json(Fixtures.image("decode/cases.json")).getAsJsonArray("cases")) {
            if (e.getAsJsonObject().get("file").getAsString().equals(file)) c = e.getAsJsonObject();
        }
        assertEquals(c.get("width").getAsInt(), img.width(), file);
        assertEquals(c.get("height").getAsInt(), img.height(), file);
        byte[] expected = Fixtures.bytes(Fixtures.image("decode/" + file + ".u8"));
        // Java's libjpeg and Pillow's libjpeg-turbo agree on these files; PNG and BMP are lossless.
        assertEquals(0, Fixtures.maxByteDiff(expected, img.rgb()), file + ": max |Δ| against PIL");
    }

    @Test
    void alphaIsDroppedNotComposited() throws IOException {
        BufferedImage bi = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        bi.setRGB(0, 0, 0x00_0A141E); // fully transparent: colour stays, no white
        bi.setRGB(1, 0, 0x80_C86432);
        bi.setRGB(2, 0, 0xFF_010203);
        Path f = tmp.resolve("argb.png");
        ImageIO.write(bi, "png", f.toFile());
        RgbImage img = ImageDecoder.decode(f);
        assertArrayEquals(new int[] {10, 20, 30}, px(img, 0, 0));
        assertArrayEquals(new int[] {200, 100, 50}, px(img, 1, 0));
        assertArrayEquals(new int[] {1, 2, 3}, px(img, 2, 0));
        assertArrayEquals(new int[] {0, 0, 0}, px(img, 0, 1));

        RgbImage rgba = ImageDecoder.decode(Fixtures.image("decode/rgba.png"));
        int notWhite = 0;
        for (int y = 0; y < rgba.height(); y++) {
            if (!Arrays.equals(px(rgba, 0, y), new int[] {255, 255, 255})) notWhite++;
        }
        assertTrue(notWhite > 0, "transparent column must keep its colours");
    }

    @Test
    void grayIsReplicated() {
        for (String f : List.of("decode/gray8.png", "decode/gray4.png", "decode/gray.jpg", "cat-gray.png")) {
            RgbImage img = ImageDecoder.decode(Fixtures.image(f));
            byte[] p = img.rgb();
            boolean varied = false;
            for (int i = 0; i < p.length; i += 3) {
                assertEquals(p[i], p[i + 1], f);
                assertEquals(p[i], p[i + 2], f);
                varied |= p[i] != p[0];
            }
            assertTrue(varied, f + " should not be flat");
        }
    }

    @Test
    void sixteenBitFollowsPil() {
        // Plain 16-bit gray opens as PIL mode "I", clipped to 255 on conversion; the rest keep the high byte.
        RgbImage g = ImageDecoder.decode(Fixtures.image("decode/gray16.png"));
        int clipped = 0;
        for (int i = 0; i < g.rgb().length; i++) if ((g.rgb()[i] & 0xFF) == 255) clipped++;
        assertTrue(clipped > g.rgb().length / 2);
        assertEquals(
                0,
                Fixtures.maxByteDiff(
                        Fixtures.bytes(Fixtures.image("decode/rgb16.png.u8")),
                        ImageDecoder.decode(Fixtures.image("decode/rgb16.png")).rgb()));
    }

    @Test
    void cliPhotosDecode() {
        RgbImage cat = ImageDecoder.decode(Fixtures.image("cat.jpg"));
        assertEquals(300, cat.width());
        assertEquals(200, cat.height());
        RgbImage coffee = ImageDecoder.decode(Fixtures.image("coffee-alpha.png"));
        assertEquals(120, coffee.width());
        assertEquals(80, coffee.height());
        for (String f : List.of("cat.jpg", "cat-gray.png", "coffee-alpha.png")) {
            assertTrue(Fixtures.bytes(Fixtures.image(f)).length < 30_000, f + " stays small");
        }
    }

    @Test
    void missingFile() {
        assertFails(tmp.resolve("nope.jpg"), "no such image file");
    }

    @Test
    void directory() {
        assertFails(tmp, "directory");
    }

    @Test
    void emptyFile() {
        assertFails(Fixtures.image("empty.jpg"), "empty");
    }

    @Test
    void notAnImage() {
        assertFails(Fixtures.image("not-an-image.png"), "not a JPEG, PNG, WebP, TIFF, BMP or GIF");
    }

    @Test
    void truncatedJpeg() {
        assertFails(Fixtures.image("truncated.jpg"), "JPEG");
    }

    @Test
    void cmykJpegIsReadAsPilConvertsIt() {
        // Saved by PIL as CMYK (0, 128, 255, 10): R = 245, G = 245 - 128·245/255 = 122, B = 0 (JPEG: a few levels)
        RgbImage img = ImageDecoder.decode(Fixtures.image("cmyk.jpg"));
        int[] p = px(img, 8, 8);
        assertTrue(Math.abs(p[0] - 245) <= 3 && Math.abs(p[1] - 122) <= 3 && p[2] <= 3, Arrays.toString(p));
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] full = Fixtures.bytes(Fixtures.image("coffee-alpha.png"));
        Path f = tmp.resolve("cut.png");
        Files.write(f, Arrays.copyOf(full, full.length / 2));
        assertFails(f, "PNG");
    }

    @Test
    void corruptJpegBody() throws IOException {
        byte[] b = Fixtures.bytes(Fixtures.image("cat.jpg"));
        for (int i = 700; i < b.length - 2; i += 3) b[i] = (byte) (b[i] * 31 + 7);
        Path f = tmp.resolve("garbled.jpg");
        Files.write(f, b);
        assertFails(f, "JPEG");
    }

    @Test
    void headerOnlyJunk() throws IOException {
        for (byte[] head : List.of(
                new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F'},
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H'},
                new byte[] {'B', 'M', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})) {
            Path f = tmp.resolve("junk");
            Files.write(f, head);
            assertFails(f, "");
        }
    }

    private static void assertFails(Path file, String problem) {
        ImageException e = assertThrows(ImageException.class, () -> ImageDecoder.decode(file));
        assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message says '" + problem + "': " + e.getMessage());
        assertTrue(e instanceof EdgeClException);
        assertEquals(2, e.exitCode());
    }

    private static int[] px(RgbImage img, int x, int y) {
        return new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
    }
}
