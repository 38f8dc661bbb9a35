package io.edgecl.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-built torch.save archives: a pickle writer for the opcodes torch emits and a STORED zip. */
public final class TinyPth {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int memo;

    public TinyPth op(int b) {
        out.write(b);
        return this;
    }

    public TinyPth raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public TinyPth proto() {
        return op(0x80).op(2);
    }

    public TinyPth mark() {
        return op('(');
    }

    public TinyPth str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        raw(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(b.length)
                .array());
        return raw(b);
    }

    public TinyPth integer(long v) {
        if (v >= 0 && v < 256) return op('K').op((int) v);
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            return raw(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) v)
                    .array());
        }
        op(0x8A).op(8);
        return raw(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    public TinyPth global(String module, String name) {
        op('c');
        return raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    public TinyPth tuple(long... v) {
        mark();
        for (long x : v) integer(x);
        return op('t');
    }

    public TinyPth put() {
        return op('q').op(memo++ & 0xFF);
    }

    /** Pushes a rebuilt tensor: storage persistent id, offset, size, stride, requires_grad, hooks. */
    public TinyPth tensor(
            String storageType, String storageKey, long storageNumel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage")
                .global("torch", storageType)
                .str(storageKey)
                .str("cpu")
                .integer(storageNumel)
                .op('t');
        op('Q');
        integer(offset);
        tuple(size);
        tuple(stride);
        op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        op('t');
        return op('R').put();
    }

    public byte[] bytes() {
        return out.toByteArray();
    }

    public static long[] l(long... v) {
        return v;
    }

    public static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /** Writes a zip with STORED entries named as torch.save names them under {@code archive/}. */
    public static void zip(Path path, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        if (pickle != null) entries.put("archive/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        zipEntries(path, entries);
    }

    public static void zipEntries(Path path, Map<String, byte[]> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(path);
                ZipOutputStream z = new ZipOutputStream(os)) {
            for (var e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    /**
     * A training checkpoint {'model': {...}, 'model_ema': {...}, 'epoch': 7, 'args': Namespace(...)}:
     * 'w' is a 2x3 F32 tensor, 'wt' its transpose (a strided view of the same storage), 'b' an offset
     * slice of storage 1, 'h' an F16 tensor; the EMA dict holds 'w' from storage 3.
     */
    public static byte[] trainingPickle(String keyPrefix) {
        TinyPth p = new TinyPth().proto();
        p.op('}').put().mark();
        p.str("model").op('}').put().mark();
        p.str(keyPrefix + "w").tensor("FloatStorage", "0", 6, 0, l(2, 3), l(3, 1));
        p.str(keyPrefix + "wt").tensor("FloatStorage", "0", 6, 0, l(3, 2), l(1, 3));
        p.str(keyPrefix + "b").tensor("FloatStorage", "1", 4, 1, l(2), l(1));
        p.str(keyPrefix + "h").tensor("HalfStorage", "2", 2, 0, l(2), l(1));
        p.op('u');
        p.str("model_ema").op('}').put().mark();
        p.str(keyPrefix + "w").tensor("FloatStorage", "3", 6, 0, l(2, 3), l(3, 1));
        p.op('u');
        p.str("epoch").integer(7);
        // Objects a real training script pickles alongside the weights; they must be ignored, never built.
        p.str("args")
                .global("argparse", "Namespace")
                .op(')')
                .op('R')
                .op('}')
                .str("lr")
                .op('G')
                .raw(new byte[] {
                    0x3f, (byte) 0xb9, (byte) 0x99, (byte) 0x99, (byte) 0x99, (byte) 0x99, (byte) 0x99, (byte) 0x9a
                })
                .op('s')
                .op('b');
        p.str("scalar")
                .global("numpy.core.multiarray", "scalar")
                .global("numpy", "dtype")
                .mark()
                .str("f8")
                .op(0x89)
                .op(0x88)
                .op('t')
                .op('R')
                .op('C')
                .op(8)
                .raw(new byte[8])
                .op(0x86)
                .op('R');
        p.op('u').op('.');
        return p.bytes();
    }

    public static Map<String, byte[]> trainingStorages() {
        Map<String, byte[]> s = new LinkedHashMap<>();
        s.put("0", f32(1, 2, 3, 4, 5, 6));
        s.put("1", f32(10, 11, 12, 13));
        s.put("2", new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0}); // 1.0, -2.0 in binary16
        s.put("3", f32(-1, -2, -3, -4, -5, -6));
        return s;
    }

    public static Path training(Path dir, String name, String keyPrefix) throws IOException {
        Path p = dir.resolve(name);
        zip(p, trainingPickle(keyPrefix), trainingStorages());
        return p;
    }
}
