package io.edgecl.tensor;

import java.util.Arrays;

/** A float32 tensor in host memory, row-major over {@link #shape()}. */
public final class HostTensor {
    private final int[] shape;
    private final float[] data;

    public HostTensor(int[] shape, float[] data) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " elements but data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static HostTensor zeros(int... shape) {
        return new HostTensor(shape, new float[Math.toIntExact(numel(shape))]);
    }

    /** The elements of {@code parts}, one after another, as one flat tensor (reshape it as needed). */
    public static HostTensor concat(java.util.List<HostTensor> parts) {
        int total = 0;
        for (HostTensor t : parts) total += t.numel();
        float[] d = new float[total];
        int off = 0;
        for (HostTensor t : parts) {
            System.arraycopy(t.data(), 0, d, off, t.numel());
            off += t.numel();
        }
        return new HostTensor(new int[] {total}, d);
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    /** The backing array (not a copy): callers that mutate it own the tensor. */
    public float[] data() {
        return data;
    }

    public int numel() {
        return data.length;
    }

    public HostTensor reshape(int... newShape) {
        return new HostTensor(newShape, data);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "HostTensor" + shapeString();
    }
}
