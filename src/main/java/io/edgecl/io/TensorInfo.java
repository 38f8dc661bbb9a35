package io.edgecl.io;

import io.edgecl.tensor.DType;
import java.util.Arrays;

/**
 * Where one tensor lies: {@code dataOffset} is absolute in the file for safetensors and relative to
 * the start of the storage's zip entry for PyTorch checkpoints; {@code byteLength} is numel * dtype size.
 */
public record TensorInfo(String key, DType dtype, long[] shape, long dataOffset, long byteLength) {
    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && key.equals(t.key)
                && dtype == t.dtype
                && Arrays.equals(shape, t.shape)
                && dataOffset == t.dataOffset
                && byteLength == t.byteLength;
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return key + " " + dtype + shapeString();
    }
}
