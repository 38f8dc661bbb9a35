package io.edgecl.tensor;

import java.util.Locale;

/** Element types, named as safetensors names them. */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The dtype with this safetensors name, or null when there is none. */
    public static DType fromName(String name) {
        if (name == null) return null;
        for (DType d : values()) {
            if (d.name().equals(name)) return d;
        }
        return null;
    }

    /** Accepts the safetensors name in any case, for command-line use. */
    public static DType parse(String name) {
        DType d = fromName(name == null ? null : name.toUpperCase(Locale.ROOT));
        if (d == null)
            throw new io.edgecl.EdgeClException(
                    "unknown dtype '" + name + "' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        return d;
    }
}
