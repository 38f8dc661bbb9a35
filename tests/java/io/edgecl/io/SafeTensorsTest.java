package io.edgecl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.tensor.DType;
import io.edgecl.tensor.HalfFloats;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    static Map<String, HostTensor> sample() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        Random r = new Random(1);
        float[] a = new float[24];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian() * 3;
        m.put("conv.weight", new HostTensor(new int[] {2, 3, 2, 2}, a));
        m.put("conv.bias", new HostTensor(new int[] {2}, new float[] {0.5f, -1e-3f}));
        m.put("empty", new HostTensor(new int[] {0, 4}, new float[0]));
        m.put("scalar", new HostTensor(new int[] {}, new float[] {65504f}));
        return m;
    }

    @Test
    void f32RoundTripWithMetadata() {
        Path p = dir.resolve("a.safetensors");
        Map<String, HostTensor> in = sample();
        SafeTensorsWriter.write(p, in, Map.of("format", "pt"));
        try (WeightFile f = WeightFile.open(p)) {
            assertEquals("safetensors", f.format());
            assertEquals(List.copyOf(in.keySet()), List.copyOf(f.tensors().keySet()));
            assertEquals("pt", f.metadata().get("format"));
            for (var e : in.entrySet()) {
                HostTensor t = f.read(e.getKey());
                assertArrayEquals(e.getValue().shape(), t.shape());
                assertArrayEquals(e.getValue().data(), t.data());
            }
            assertEquals(0, (f.tensors().get("conv.weight").dataOffset()) % 8, "data section aligned");
        }
    }

    @Test
    void halfAndBfloatRoundTrips() {
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            Path p = dir.resolve(dt + ".safetensors");
            Map<String, HostTensor> in = sample();
            SafeTensorsWriter.write(p, in, Map.of(), dt);
            try (WeightFile f = WeightFile.open(p)) {
                for (var e : in.entrySet()) {
                    assertEquals(dt, f.tensors().get(e.getKey()).dtype());
                    float[] want = e.getValue().data();
                    float[] got = f.read(e.getKey()).data();
                    double rel = dt == DType.F16 ? 1.0 / 2048 : 1.0 / 256;
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], Math.abs(want[i]) * rel + 1e-7, e.getKey() + "[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void halfConversionsRoundToNearestEven() {
        assertEquals((short) 0x3C00, HalfFloats.floatToHalf(1f));
        assertEquals((short) 0x7BFF, HalfFloats.floatToHalf(65504f));
        assertEquals((short) 0x7C00, HalfFloats.floatToHalf(65520f)); // halfway above max rounds to infinity
        assertEquals((short) 0x0001, HalfFloats.floatToHalf(0x1p-24f));
        assertEquals((short) 0x0000, HalfFloats.floatToHalf(0x1p-25f)); // tie to even (zero)
        assertEquals((short) 0x0002, HalfFloats.floatToHalf(0x1.8p-24f)); // tie to even (two)
        assertEquals((short) 0x3C00, HalfFloats.floatToHalf(1f + 0x1p-11f)); // tie at 1 + half ulp -> even
        assertEquals((short) 0x3C02, HalfFloats.floatToHalf(1f + 3 * 0x1p-11f));
        assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(Float.NaN))));
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.halfToFloat((short) h);
            if (!Float.isNaN(f)) assertEquals((short) h, HalfFloats.floatToHalf(f), "half " + h);
        }
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f));
        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F808000))); // tie -> even
        assertEquals((short) 0x3F82, HalfFloats.floatToBf16(Float.intBitsToFloat(0x3F818000))); // tie -> even
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN))));
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTempFiles() throws IOException {
        Path p = dir.resolve("w.safetensors");
        SafeTensorsWriter.write(p, sample());
        SafeTensorsWriter.write(p, Map.of("x", new HostTensor(new int[] {1}, new float[] {7})));
        try (WeightFile f = WeightFile.open(p)) {
            assertEquals(List.of("x"), List.copyOf(f.tensors().keySet()));
        }
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
        assertThrows(
                WeightFileException.class,
                () -> SafeTensorsWriter.write(dir.resolve("no/such/dir/x.safetensors"), sample()));
    }

    // --- malformed corpus ---

    static byte[] file(long headerLen, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h).put(data);
        return b.array();
    }

    static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, new byte[dataBytes]);
    }

    Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    void expectError(String name, byte[] content, String... fragments) throws IOException {
        Path p = write(name, content);
        EdgeClException e = assertThrows(
                WeightFileException.class,
                () -> {
                    try (WeightFile f = WeightFile.open(p)) {
                        f.readAll();
                    }
                },
                name);
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String s : fragments)
            assertTrue(e.getMessage().contains(s), name + ": '" + e.getMessage() + "' lacks '" + s + "'");
    }

    static String one(String dtype, String shape, String offsets) {
        return "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    @Test
    void headerLengthProblems() throws IOException {
        expectError("len0", file(0, "{}", new byte[0]), "header length is 0");
        expectError("len2p63", file(Long.MIN_VALUE, "{}", new byte[0]), "9223372036854775808");
        expectError("lenminus1", file(-1, "{}", new byte[0]), "18446744073709551615");
        expectError("lenbig", file(200L << 20, "{}", new byte[0]), String.valueOf(200L << 20));
        expectError("lenpasteof", file(1000, "{}", new byte[0]), "header length 1000");
        expectError("empty", new byte[0], "too short");
        Path nope = dir.resolve("does-not-exist.safetensors");
        EdgeClException e = assertThrows(WeightFileException.class, () -> WeightFile.open(nope));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("does-not-exist"), e.getMessage());
    }

    @Test
    void headerContentProblems() throws IOException {
        expectError("badjson", file("{\"t\":{\"dtype\":\"F32\",", 0), "JSON");
        expectError("notobject", file("[1,2]", 0), "not a JSON object");
        expectError("trailing", file(one("F32", "[1]", "[0,4]") + "x", 4), "JSON");
        expectError(
                "dup",
                file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{}}", 4),
                "duplicate");
        expectError("baddtype", file(one("F31", "[1]", "[0,4]"), 4), "'t'", "F31");
        expectError("nodtype", file("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'t'", "dtype");
        expectError("negdim", file(one("F32", "[-1]", "[0,4]"), 4), "'t'", "shape");
        expectError("fracdim", file(one("F32", "[1.5]", "[0,4]"), 4), "'t'", "1.5");
        expectError("shapestr", file(one("F32", "\"1\"", "[0,4]"), 4), "'t'", "shape");
        expectError("overflow", file(one("F32", "[4294967296,4294967296]", "[0,4]"), 4), "'t'", "4294967296");
        expectError("mismatch", file(one("F32", "[2]", "[0,4]"), 4), "'t'", "needs 8 bytes");
        expectError("pasteof", file(one("F32", "[2]", "[0,8]"), 4), "'t'", "[0, 8]", "past the end");
        expectError("reversed", file(one("F32", "[0]", "[4,0]"), 4), "'t'", "begin after end");
        expectError("offsets3", file(one("F32", "[1]", "[0,4,8]"), 8), "'t'", "data_offsets");
        expectError("meta", file("{\"__metadata__\":{\"a\":1}}", 0), "__metadata__");
        expectError("utf8", file(4, "{\"\u00ff", new byte[0]), "");
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        expectError("overlap", file(two, 12), "'a'", "'b'", "overlap");
    }

    @Test
    void everyTruncationIsATypedError() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensorsWriter.write(good, sample());
        byte[] full = Files.readAllBytes(good);
        for (int n = 0; n < full.length; n++) {
            expectError("cut" + n, Arrays.copyOf(full, n));
        }
    }

    @Test
    void notAWeightsFile() throws IOException {
        expectError(
                "text.txt",
                "hello world, this is not a weights file".getBytes(StandardCharsets.US_ASCII),
                "header length");
        byte[] legacy = {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46};
        expectError("legacy.pt", legacy, "legacy");
        Path d = Files.createDirectory(dir.resolve("adir"));
        assertThrows(WeightFileException.class, () -> WeightFile.open(d));
    }
}
