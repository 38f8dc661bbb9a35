package io.edgecl.io.image;

import java.util.Arrays;

/** An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B. */
public final class RgbImage {
    private final int width;
    private final int height;
    private final byte[] rgb;

    /** Wraps {@code rgb} (not copied): it must hold exactly width · height · 3 bytes. */
    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(
                    width + "x" + height + " RGB needs " + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing array (not a copy). */
    public byte[] rgb() {
        return rgb;
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other
                && other.width == width
                && other.height == height
                && Arrays.equals(other.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
