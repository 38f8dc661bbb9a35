package io.edgecl.ops;

import io.edgecl.EdgeClException;
import java.util.Locale;

/** Activations the kernels apply in their epilogues (codes match ACT_* in common.h.cl). */
public enum Act {
    NONE("ACT_NONE"),
    GELU("ACT_GELU"),
    RELU("ACT_RELU"),
    RELU6("ACT_RELU6"),
    HSWISH("ACT_HSWISH"),
    SILU("ACT_SILU"),
    HSIGMOID("ACT_HSIGMOID"),
    SIGMOID("ACT_SIGMOID");

    private final String macro;

    Act(String macro) {
        this.macro = macro;
    }

    public String macro() {
        return macro;
    }

    /** The kernels' code of the activation: common.h.cl numbers ACT_* in this enum's order. */
    public int code() {
        return ordinal();
    }

    /** Plain-Java value, for references and host-side constants. */
    public double apply(double x) {
        switch (this) {
            case GELU:
                return 0.5 * x * (1 + MathRef.erf(x / Math.sqrt(2)));
            case RELU:
                return Math.max(x, 0);
            case RELU6:
                return Math.min(Math.max(x, 0), 6);
            case HSWISH:
                return x * Math.min(Math.max(x + 3, 0), 6) / 6;
            case SILU:
                return x / (1 + Math.exp(-x));
            case HSIGMOID:
                return Math.min(Math.max(x + 3, 0), 6) / 6;
            case SIGMOID:
                return 1 / (1 + Math.exp(-x));
            default:
                return x;
        }
    }

    public static Act parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new EdgeClException("unknown activation '" + s + "'");
        }
    }
}
