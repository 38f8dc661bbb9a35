package io.edgecl.ops;

import io.edgecl.tensor.Precision;

/**
 * The key of one tuned choice in a device's tuning file: the kernel family, the storage precision
 * and the problem it was measured on — an op's tuning shape (kind, input and output shapes, MACs)
 * or, for the GEMM tuner, a GEMM's "MxNxK". The device and driver are the file's.
 */
public record TuningKey(KernelFamily<?> family, Precision precision, String shape) {
    /** The key's form in the file: "family/precision/shape". */
    @Override
    public String toString() {
        return family.name() + "/" + precision.id() + "/" + shape;
    }

    /** The key of a GEMM problem measured by itself ({@link GemmTuner}). */
    public static TuningKey gemm(Precision precision, int m, int n, int k) {
        return new TuningKey(KernelFamily.GEMM, precision, m + "x" + n + "x" + k);
    }
}
