package io.edgecl.io;

import com.google.gson.stream.JsonWriter;
import io.edgecl.tensor.DType;
import io.edgecl.tensor.HalfFloats;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Writes safetensors files; the target is replaced atomically, so it is never seen half-written. */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    public static void write(Path path, Map<String, HostTensor> tensors) {
        write(path, tensors, Map.of(), DType.F32);
    }

    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        write(path, tensors, metadata, DType.F32);
    }

    /** {@code dtype} is F32, F16 or BF16 (the half types round to nearest even). */
    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new WeightFileException(path + ": cannot write dtype " + dtype + " (only F32, F16, BF16)");
        }
        byte[] header = header(path, tensors, metadata == null ? Map.of() : metadata, dtype);
        try {
            OutputFiles.replace(path, tmp -> {
                try (FileChannel ch =
                        FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ByteBuffer len = ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(0, header.length);
                    writeFully(ch, len);
                    writeFully(ch, ByteBuffer.wrap(header));
                    ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                    for (HostTensor t : tensors.values()) {
                        for (float v : t.data()) {
                            if (buf.remaining() < 4) {
                                writeFully(ch, buf.flip());
                                buf.clear();
                            }
                            switch (dtype) {
                                case F16 -> buf.putShort(HalfFloats.floatToHalf(v));
                                case BF16 -> buf.putShort(HalfFloats.floatToBf16(v));
                                default -> buf.putFloat(v);
                            }
                        }
                    }
                    writeFully(ch, buf.flip());
                    ch.force(true);
                }
            });
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot write safetensors file: " + e, e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static byte[] header(
            Path path, Map<String, HostTensor> tensors, Map<String, String> metadata, DType dtype) {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name("__metadata__").beginObject();
                for (var e : metadata.entrySet()) w.name(e.getKey()).value(e.getValue());
                w.endObject();
            }
            long off = 0;
            for (var e : tensors.entrySet()) {
                String key = e.getKey();
                if (key == null || key.isEmpty() || key.equals("__metadata__")) {
                    throw new WeightFileException(path + ": invalid tensor name '" + key + "'");
                }
                HostTensor t = e.getValue();
                long bytes = (long) t.numel() * dtype.byteSize();
                w.name(key).beginObject();
                w.name("dtype").value(dtype.name());
                w.name("shape").beginArray();
                for (int d : t.shape()) w.value(d);
                w.endArray();
                w.name("data_offsets")
                        .beginArray()
                        .value(off)
                        .value(off + bytes)
                        .endArray();
                w.endObject();
                off += bytes;
            }
            w.endObject();
        } catch (IOException e) {
            throw new WeightFileException(path + ": cannot encode safetensors header: " + e, e);
        }
        StringBuilder sb = new StringBuilder(sw.toString());
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        while ((utf8Len(sb) & 7) != 0) sb.append(' ');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static int utf8Len(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
