package io.edgecl.io.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG, PNG, BMP (and GIF) files into {@link RgbImage}s the way PIL's
 * {@code Image.open(path).convert("RGB")} does, since that is what timm's evaluation saw:
 * alpha is dropped (not composited), gray is replicated, palettes are looked up, 16-bit
 * channels keep their high byte except plain 16-bit gray, which PIL clips to 255. No EXIF
 * rotation and no ICC conversion are applied, as PIL applies neither on open.
 */
public final class ImageDecoder {
    /** PIL refuses images above twice its MAX_IMAGE_PIXELS as decompression bombs; so do we. */
    public static final long MAX_PIXELS = 2L * 89_478_485L;

    private static final Set<String> FORMATS = Set.of("jpeg", "png", "bmp", "gif");

    private ImageDecoder() {}

    /** Reads the first frame of {@code file} as 8-bit RGB; every failure is an {@link ImageException}. */
    public static RgbImage decode(Path file) {
        if (!Files.exists(file)) {
            throw new ImageException(file + ": no such image file");
        }
        if (Files.isDirectory(file)) {
            throw new ImageException(file + ": is a directory, not an image file");
        }
        if (!Files.isReadable(file)) {
            throw new ImageException(file + ": image file is not readable (permissions)");
        }
        try {
            if (Files.size(file) == 0) {
                throw new ImageException(file + ": image file is empty");
            }
        } catch (IOException e) {
            throw new ImageException(file + ": cannot read image file: " + e.getMessage(), e);
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return decode(file.toString(), in, MAX_PIXELS);
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageException(file + ": cannot read image: " + describe(e), e);
        }
    }

    /**
     * Decodes an image held in memory (a request body); {@code name} stands for it in messages,
     * and images of more than {@code maxPixels} (at most {@link #MAX_PIXELS}) are refused before decoding.
     */
    public static RgbImage decode(byte[] data, String name, long maxPixels) {
        if (data.length == 0) throw new ImageException(name + ": image is empty");
        try (ImageInputStream in = new javax.imageio.stream.MemoryCacheImageInputStream(
                new java.io.ByteArrayInputStream(data))) {
            return decode(name, in, Math.min(maxPixels, MAX_PIXELS));
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageException(name + ": cannot read image: " + describe(e), e);
        }
    }

    private static RgbImage decode(String file, ImageInputStream in, long maxPixels) throws IOException {
        ImageReader reader = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
            ImageReader r = it.next();
            if (FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
                reader = r;
                break;
            }
            r.dispose();
        }
        if (reader == null) {
            throw new ImageException(file + ": not a JPEG, PNG, BMP or GIF image (unrecognized content)");
        }
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        try {
            reader.setInput(in, true, false);
            // Java's decoders only warn on truncated data and hand back a part-gray image; PIL raises.
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image;
            try {
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new ImageException(file + ": " + format + " image has no pixels (" + w + "x" + h + ")");
                }
                if ((long) w * h > maxPixels) {
                    throw new ImageException(file + ": " + format + " image is " + w + "x" + h
                            + ", more than the " + maxPixels + " pixels EdgeCL decodes");
                }
                image = reader.read(0);
            } catch (IIOException e) {
                throw new ImageException(file + ": " + explain(format, e), e);
            }
            if (!warnings.isEmpty()) {
                throw new ImageException(file + ": corrupt or truncated " + format + " data ("
                        + String.join("; ", warnings) + ")");
            }
            return toRgb(file, format, image);
        } finally {
            reader.dispose();
        }
    }

    private static String explain(String format, IIOException e) {
        String msg = describe(e);
        if (msg.contains("Unsupported Image Type") || msg.contains("Unsupported JPEG color")) {
            return "unsupported " + format + " color type (CMYK or YCCK JPEGs are not supported; save it as RGB)";
        }
        return "corrupt or unreadable " + format + " data (" + msg + ")";
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (sb.length() > 0) sb.append(": ");
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t.getCause() == t) break;
        }
        return sb.toString();
    }

    private static RgbImage toRgb(String file, String format, BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int i = row[x];
                    out[o] = (byte) icm.getRed(i);
                    out[o + 1] = (byte) icm.getGreen(i);
                    out[o + 2] = (byte) icm.getBlue(i);
                }
            }
        } else if (cm instanceof ComponentColorModel) {
            componentToRgb(file, format, cm, raster, out);
        } else if (cm instanceof DirectColorModel && cm.getColorSpace().isCS_sRGB()) {
            // Packed BMP pixels (5-6-5, 8-8-8-8): getRGB scales each field to 8 bits and skips alpha here.
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int p = row[x];
                    out[o] = (byte) (p >> 16);
                    out[o + 1] = (byte) (p >> 8);
                    out[o + 2] = (byte) p;
                }
            }
        } else {
            throw new ImageException(file + ": unsupported " + format + " pixel layout ("
                    + cm.getClass().getSimpleName() + ", " + cm.getNumComponents() + " components)");
        }
        return new RgbImage(w, h, out);
    }

    private static void componentToRgb(String file, String format, ColorModel cm, Raster raster, byte[] out) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int colors = cm.getNumColorComponents();
        int csType = cm.getColorSpace().getType();
        int transfer = cm.getTransferType();
        if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT) {
            throw new ImageException(file + ": unsupported " + format + " sample type (only 8- and 16-bit integer)");
        }
        boolean gray = csType == ColorSpace.TYPE_GRAY && colors == 1;
        boolean rgb = csType == ColorSpace.TYPE_RGB && colors == 3;
        if (!gray && !rgb) {
            String what = csType == ColorSpace.TYPE_CMYK ? "CMYK" : colors + "-channel";
            throw new ImageException(file + ": unsupported " + format + " color type (" + what
                    + "); save it as RGB or grayscale");
        }
        int bits = cm.getComponentSize(0);
        boolean alpha = cm.hasAlpha();
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int base = x * bands;
                if (gray) {
                    byte v = (byte) grayTo8(row[base], bits, alpha);
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                } else {
                    out[o] = (byte) to8(row[base], bits);
                    out[o + 1] = (byte) to8(row[base + 1], bits);
                    out[o + 2] = (byte) to8(row[base + 2], bits);
                }
            }
        }
    }

    /** PIL reads 16-bit RGB(A) and gray+alpha PNGs by their high byte. */
    private static int to8(int v, int bits) {
        if (bits == 8) return v;
        if (bits == 16) return v >>> 8;
        return bits > 8 ? v >>> (bits - 8) : v * 255 / ((1 << bits) - 1);
    }

    /** PIL opens plain 16-bit gray as 32-bit integer mode "I", whose RGB conversion clips at 255. */
    private static int grayTo8(int v, int bits, boolean alpha) {
        if (bits == 16 && !alpha) return Math.min(v, 255);
        return to8(v, bits);
    }
}
