package io.edgecl.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgecl.EdgeClException;
import io.edgecl.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void readsTrainingCheckpointIgnoringForeignObjects() throws IOException {
        Path p = TinyPth.training(dir, "ckpt.pth", "");
        try (WeightFile f = WeightFile.open(p)) {
            assertEquals("pytorch", f.format());
            assertEquals(List.of("w", "wt", "b", "h"), List.copyOf(f.tensors().keySet()));
            assertEquals("7", f.metadata().get("epoch"));
            assertEquals("model", f.metadata().get("state_dict_key"));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.read("w").data());
            assertArrayEquals(new int[] {3, 2}, f.read("wt").shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, f.read("wt").data());
            assertArrayEquals(new float[] {11, 12}, f.read("b").data());
            assertEquals(DType.F16, f.tensors().get("h").dtype());
            assertArrayEquals(new float[] {1, -2}, f.read("h").data());
            assertEquals(4, f.tensors().get("b").dataOffset());
        }
    }

    @Test
    void emaOnlyWhenAskedAndDataParallelPrefixStripped() throws IOException {
        Path p = TinyPth.training(dir, "dp.pth", "module.");
        try (WeightFile f = WeightFile.open(p, true)) {
            assertEquals(List.of("w"), List.copyOf(f.tensors().keySet()));
            assertArrayEquals(new float[] {-1, -2, -3, -4, -5, -6}, f.read("w").data());
        }
        try (WeightFile f = WeightFile.open(p)) {
            assertTrue(f.tensors().containsKey("wt"));
        }
    }

    @Test
    void plainStateDict() throws IOException {
        TinyPth pk = new TinyPth()
                .proto()
                .global("collections", "OrderedDict")
                .op(')')
                .op('R')
                .put()
                .mark();
        pk.str("x").tensor("DoubleStorage", "0", 2, 0, TinyPth.l(2), TinyPth.l(1));
        pk.str("n").tensor("LongStorage", "1", 1, 0, TinyPth.l(), TinyPth.l());
        pk.op('u').op('.');
        java.nio.ByteBuffer d = java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.5)
                .putDouble(-3);
        java.nio.ByteBuffer n = java.nio.ByteBuffer.allocate(8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(42);
        Path p = dir.resolve("plain.pth");
        TinyPth.zip(p, pk.bytes(), Map.of("0", d.array(), "1", n.array()));
        try (WeightFile f = WeightFile.open(p)) {
            assertArrayEquals(new float[] {0.5f, -3f}, f.read("x").data());
            assertEquals(0, f.read("n").rank());
            assertArrayEquals(new float[] {42}, f.read("n").data());
        }
    }

    static void expectError(Path p, String... fragments) {
        EdgeClException e = assertThrows(WeightFileException.class, () -> {
            try (WeightFile f = WeightFile.open(p)) {
                f.readAll();
            }
        });
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + e.getMessage() + "' lacks '" + s + "'");
        assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
    }

    @Test
    void zipWithoutDataPkl() throws IOException {
        Path p = dir.resolve("nopkl.pth");
        TinyPth.zip(p, null, TinyPth.trainingStorages());
        expectError(p, "no data.pkl");
    }

    @Test
    void missingStorageEntry() throws IOException {
        Path p = dir.resolve("nostorage.pth");
        Map<String, byte[]> s = new java.util.LinkedHashMap<>(TinyPth.trainingStorages());
        s.remove("1");
        TinyPth.zip(p, TinyPth.trainingPickle(""), s);
        expectError(p, "archive/data/1", "missing", "'b'");
    }

    @Test
    void storageShorterThanThePickleSays() throws IOException {
        Path p = dir.resolve("short.pth");
        Map<String, byte[]> s = new java.util.LinkedHashMap<>(TinyPth.trainingStorages());
        s.put("0", TinyPth.f32(1, 2, 3));
        TinyPth.zip(p, TinyPth.trainingPickle(""), s);
        expectError(p, "archive/data/0", "12 bytes");
    }

    @Test
    void bogusPersistentId() throws IOException {
        TinyPth pk = new TinyPth().proto().op('}').mark().str("w");
        pk.global("torch._utils", "_rebuild_tensor_v2")
                .mark()
                .mark()
                .str("storagex")
                .str("0")
                .op('t')
                .op('Q');
        pk.integer(0).tuple(1).tuple(1).op(0x89).op('}').op('t').op('R').op('u').op('.');
        Path p = dir.resolve("pid.pth");
        TinyPth.zip(p, pk.bytes(), Map.of("0", TinyPth.f32(1)));
        expectError(p, "persistent id", "'storagex'");
    }

    @Test
    void tensorViewOutsideItsStorage() throws IOException {
        TinyPth pk = new TinyPth().proto().op('}').mark().str("w");
        pk.tensor("FloatStorage", "0", 2, 1, TinyPth.l(2), TinyPth.l(1)).op('u').op('.');
        Path p = dir.resolve("view.pth");
        TinyPth.zip(p, pk.bytes(), Map.of("0", TinyPth.f32(1, 2)));
        expectError(p, "'w'", "storage offset 1", "holds 2");
    }

    @Test
    void everyTruncationOfThePickleIsATypedError() throws IOException {
        byte[] full = TinyPth.trainingPickle("");
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            try {
                Pickle.load("cut.pkl", cut);
                fail("truncation at " + n + " parsed");
            } catch (WeightFileException e) {
                assertTrue(e.getMessage().startsWith("cut.pkl: "), e.getMessage());
            }
        }
        Path p = dir.resolve("trunc.pth");
        TinyPth.zip(p, Arrays.copyOf(full, full.length / 2), TinyPth.trainingStorages());
        expectError(p, "data.pkl", "truncated");
    }

    @Test
    void hostilePicklesFailTyped() {
        byte[][] cases = {
            {(byte) 0x80, 2, '(', '(', '(', 't', 't', '.'}, // leaves a MARK open
            {(byte) 0x80, 2, 'h', 5, '.'}, // memo entry never stored
            {(byte) 0x80, 2, 'R', '.'}, // stack underflow
            {(byte) 0x80, 2, ']', 'q', 0, 'h', 0, 'a', 'h', 0, '}', 'h', 0, 'K', 1, 's', '.'}, // list as key
            {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '.'}, // huge string length
            {(byte) 0x80, 2, 'i', 'o', 's', '\n', '.'}, // INST: not supported
            {(byte) 0x80, 9, '.'}, // unknown protocol
            {'.'}, // empty stack
        };
        for (byte[] c : cases) {
            assertThrows(WeightFileException.class, () -> Pickle.load("x.pkl", c), Arrays.toString(c));
        }
        // Deep nesting must not recurse: 200k nested tuples are just objects on a heap stack.
        int depth = 200_000;
        byte[] deep = new byte[depth + 7];
        deep[0] = (byte) 0x80;
        deep[1] = 2;
        deep[2] = '}';
        deep[3] = ')';
        Arrays.fill(deep, 4, 4 + depth, (byte) 0x85);
        deep[4 + depth] = 'K';
        deep[5 + depth] = 1;
        deep[6 + depth] = 's';
        byte[] asKey = Arrays.copyOf(deep, deep.length + 1);
        asKey[deep.length] = '.';
        EdgeClException e = assertThrows(WeightFileException.class, () -> Pickle.load("deepkey.pkl", asKey));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
        byte[] asValue = new byte[depth + 8];
        asValue[0] = (byte) 0x80;
        asValue[1] = 2;
        asValue[2] = '}';
        asValue[3] = 'K';
        asValue[4] = 1;
        asValue[5] = ')';
        Arrays.fill(asValue, 6, 6 + depth, (byte) 0x85);
        asValue[6 + depth] = 's';
        asValue[7 + depth] = '.';
        assertTrue(Pickle.load("deepvalue.pkl", asValue) instanceof Map);
    }
}
