package io.edgecl.io.image;

import java.util.Locale;

/** Pillow's resampling filters, named as timm's pretrained configs name them. */
public enum Interpolation {
    NEAREST(0.0),
    BOX(0.5),
    BILINEAR(1.0),
    HAMMING(1.0),
    BICUBIC(2.0),
    LANCZOS(3.0);

    /** Half-width of the filter at scale 1, in source pixels. */
    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** "bicubic", "bilinear", "nearest", "box", "hamming", "lanczos" (any case); else an {@link ImageException}. */
    public static Interpolation parse(String name) {
        if (name != null) {
            for (Interpolation i : values()) {
                if (i.name().equalsIgnoreCase(name.trim())) return i;
            }
        }
        throw new ImageException(
                "unknown interpolation '" + name + "' (expected bicubic, bilinear, nearest, box, hamming or lanczos)");
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The filter's weight at distance x (in filter units), written as Pillow writes it so doubles agree bit for bit. */
    double weight(double x) {
        switch (this) {
            case BOX:
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            case BILINEAR:
                if (x < 0.0) x = -x;
                return x < 1.0 ? 1.0 - x : 0.0;
            case HAMMING:
                if (x < 0.0) x = -x;
                if (x == 0.0) return 1.0;
                if (x >= 1.0) return 0.0;
                x = x * Math.PI;
                return Math.sin(x) / x * (0.54f + 0.46f * Math.cos(x));
            case BICUBIC: {
                final double a = -0.5;
                if (x < 0.0) x = -x;
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            }
            case LANCZOS:
                return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
            default:
                throw new IllegalStateException("nearest has no convolution filter");
        }
    }

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        x = x * Math.PI;
        return Math.sin(x) / x;
    }
}
