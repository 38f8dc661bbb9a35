package io.edgecl.tensor;

import io.edgecl.EdgeClException;
import java.util.Locale;

/** How activations and weights are stored on the device (EDGECL_PRECISION in common.h.cl). */
public enum Precision {
    /** fp32 storage and arithmetic: matches PyTorch to rounding. */
    FP32("fp32", 4, 0),
    /** fp16 storage (vload_half/vstore_half, OpenCL 1.2 core), fp32 arithmetic: half the memory traffic. */
    FP16_STORAGE("fp16-storage", 2, 1),
    /**
     * fp16 storage and half arithmetic (cl_khr_fp16) in element-wise work, epilogues and
     * convolution taps; LayerNorm statistics, softmax and GEMM accumulators stay in float.
     */
    FP16("fp16", 2, 2);

    private final String id;
    private final int elementBytes;
    private final int macro;

    Precision(String id, int elementBytes, int macro) {
        this.id = id;
        this.elementBytes = elementBytes;
        this.macro = macro;
    }

    public String id() {
        return id;
    }

    public int elementBytes() {
        return elementBytes;
    }

    /** Value of EDGECL_PRECISION. */
    public int macro() {
        return macro;
    }

    public static Precision parse(String s) {
        for (Precision p : values()) {
            if (p.id.equals(s.toLowerCase(Locale.ROOT))) return p;
        }
        throw new EdgeClException("unknown precision '" + s + "' (fp32, fp16-storage or fp16)");
    }
}
