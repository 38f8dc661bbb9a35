package io.edgecl.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.tensor.DType;
import io.edgecl.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model parameters are floating point: F32, F16, BF16 and F64 load; integer tensors are refused by name. */
class DTypePolicyTest {
    /** A safetensors file with one tensor of {@code dtype} holding {@code data}, and an I64 num_batches_tracked. */
    static Path file(Path dir, String name, String dtype, byte[] data, int... shape) throws Exception {
        StringBuilder sh = new StringBuilder();
        for (int s : shape) sh.append(sh.length() == 0 ? "" : ",").append(s);
        String header = "{\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + sh + "],\"data_offsets\":[8," + (8 + data.length)
                + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putLong(7).put(data);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    @Test
    void integerTensorsAreRefusedNamingTheKey(@TempDir Path dir) throws Exception {
        for (String dt : new String[] {"I8", "U8", "I16", "I32", "I64", "BOOL"}) {
            int es = DType.fromName(dt).byteSize();
            Path p = file(dir, dt + ".safetensors", dt, new byte[4 * es], 4);
            WeightFileException e = assertThrows(WeightFileException.class, () -> WeightFile.readParameters(p), dt);
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains(dt), e.getMessage());
        }
    }

    @Test
    void floatTypesLoadAndBookkeepingIsLeftOut(@TempDir Path dir) throws Exception {
        ByteBuffer d = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(1.5)
                .putDouble(-2.25);
        Map<String, HostTensor> t = WeightFile.readParameters(file(dir, "f64.safetensors", "F64", d.array(), 2));
        assertFalse(t.containsKey("bn.num_batches_tracked"));
        assertEquals(1.5f, t.get("w").data()[0]);
        assertEquals(-2.25f, t.get("w").data()[1]);
        ByteBuffer f = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(3)
                .putFloat(4);
        assertEquals(
                4f,
                WeightFile.readParameters(file(dir, "f32.safetensors", "F32", f.array(), 2))
                        .get("w")
                        .data()[1]);
    }
}
