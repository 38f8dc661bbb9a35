package io.edgecl.io;

import io.edgecl.tensor.DType;
import io.edgecl.tensor.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Converts raw element bytes of any {@link DType} to float32. */
final class Decode {
    private Decode() {}

    /** Decodes {@code count} elements from {@code src}'s position into {@code dst[at..]}. */
    static void toFloat(ByteBuffer src, ByteOrder order, DType dtype, float[] dst, int at, int count) {
        ByteBuffer b = src.slice().order(order);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(dst, at, count);
            case F64 -> {
                var d = b.asDoubleBuffer();
                for (int i = 0; i < count; i++) dst[at + i] = (float) d.get(i);
            }
            case F16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < count; i++) dst[at + i] = HalfFloats.halfToFloat(s.get(i));
            }
            case BF16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < count; i++) dst[at + i] = HalfFloats.bf16ToFloat(s.get(i));
            }
            case I64 -> {
                var l = b.asLongBuffer();
                for (int i = 0; i < count; i++) dst[at + i] = (float) l.get(i);
            }
            case I32 -> {
                var n = b.asIntBuffer();
                for (int i = 0; i < count; i++) dst[at + i] = (float) n.get(i);
            }
            case I16 -> {
                var s = b.asShortBuffer();
                for (int i = 0; i < count; i++) dst[at + i] = s.get(i);
            }
            case I8 -> {
                for (int i = 0; i < count; i++) dst[at + i] = b.get(i);
            }
            case U8 -> {
                for (int i = 0; i < count; i++) dst[at + i] = b.get(i) & 0xFF;
            }
            case BOOL -> {
                for (int i = 0; i < count; i++) dst[at + i] = b.get(i) != 0 ? 1f : 0f;
            }
        }
    }

    /** HostTensor needs int dims and an int element count. */
    static int[] intShape(long[] shape, String what) {
        int[] out = new int[shape.length];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw new WeightFileException(what + ": dimension " + shape[i] + " is out of range");
            }
            out[i] = (int) shape[i];
            n = Math.multiplyExact(n, shape[i]);
            if (n > Integer.MAX_VALUE - 8) {
                throw new WeightFileException(what + ": " + java.util.Arrays.toString(shape)
                        + " has more elements than one host tensor can hold");
            }
        }
        return out;
    }
}
