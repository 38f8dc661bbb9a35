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
 * Decodes JPEG, PNG, WebP, TIFF, BMP and GIF files into {@link RgbImage}s the way PIL's
 * {@code Image.open(path).convert("RGB")} does, since that is what timm's evaluation saw:
 * alpha is dropped (not composited), gray is replicated, palettes are looked up, 16-bit
 * channels keep their high byte except plain 16-bit gray, which PIL clips to 255, and CMYK
 * (JPEG, including YCCK, and TIFF) becomes RGB by PIL's formula R = (255 − C)(255 − K)/255.
 * No EXIF rotation and no ICC conversion are applied, as PIL applies neither on open: a
 * JPEG's embedded ICC profile is ignored, whatever its colour space.
 *
 * <p>The JDK reads PNG, BMP and GIF; the TwelveMonkeys ImageIO plugins read JPEG (through the
 * JDK's codec, adding CMYK and YCCK), WebP (lossy, lossless, alpha; the first frame of an
 * animation) and TIFF.
 * Lossless formats and JPEG match Pillow exactly; lossy WebP differs by a few levels
 * (TwelveMonkeys' VP8 decoder upsamples chroma by replication, libwebp bilinearly).
 */
public final class ImageDecoder {
    /** PIL refuses images above twice its MAX_IMAGE_PIXELS as decompression bombs; so do we. */
    public static final long MAX_PIXELS = 2L * 89_478_485L;

    private static final Set<String> FORMATS = Set.of("jpeg", "png", "bmp", "gif", "webp", "tiff");

    /** What {@link #FORMATS} means to a user, for messages. */
    public static final String FORMAT_NAMES = "JPEG, PNG, WebP, TIFF, BMP or GIF";

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
        try {
            if (JpegIcc.isJpeg(file)) return decode(Files.readAllBytes(file), file.toString(), MAX_PIXELS);
        } catch (IOException e) {
            throw new ImageException(file + ": cannot read image file: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new ImageException(file + ": image file too large to read (" + e.getMessage() + ")");
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return decode(file.toString(), in, Files.size(file), MAX_PIXELS);
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
        // PIL ignores a JPEG's ICC profile; TwelveMonkeys would convert through it, so it goes.
        byte[] bytes = JpegIcc.withoutIccProfile(data);
        try (ImageInputStream in =
                new javax.imageio.stream.MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return decode(name, in, bytes.length, Math.min(maxPixels, MAX_PIXELS));
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageException(name + ": cannot read image: " + describe(e), e);
        }
    }

    private static RgbImage decode(String file, ImageInputStream in, long length, long maxPixels) throws IOException {
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
            throw new ImageException(file + ": not a " + FORMAT_NAMES + " image (unrecognized content)");
        }
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        if (format.equals("WEBP")) checkRiffLength(file, in, length);
        try {
            reader.setInput(in, true, false);
            // Java's decoders only warn on truncated data and hand back a part-gray image; PIL raises.
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                // A note that CMYK is converted without a profile is PIL's conversion, not damage.
                if (!warning.contains("ICC")) warnings.add(warning);
            });
            BufferedImage image;
            try {
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new ImageException(file + ": " + format + " image has no pixels (" + w + "x" + h + ")");
                }
                if ((long) w * h > maxPixels) {
                    throw new ImageException(file + ": " + format + " image is " + w + "x" + h + ", more than the "
                            + maxPixels + " pixels EdgeCL decodes");
                }
                image = reader.read(0);
            } catch (IIOException e) {
                throw new ImageException(file + ": " + explain(format, e), e);
            }
            if (!warnings.isEmpty()) {
                throw new ImageException(
                        file + ": corrupt or truncated " + format + " data (" + String.join("; ", warnings) + ")");
            }
            return toRgb(file, format, image);
        } finally {
            reader.dispose();
        }
    }

    /**
     * The WebP reader decodes a truncated lossless stream without a word; PIL raises. The RIFF
     * header states the file's length, so a shorter file is refused here.
     */
    private static void checkRiffLength(String file, ImageInputStream in, long length) throws IOException {
        byte[] head = new byte[8];
        in.mark();
        in.seek(0);
        in.readFully(head);
        in.reset();
        long declared =
                8 + ((head[4] & 0xFFL) | (head[5] & 0xFFL) << 8 | (head[6] & 0xFFL) << 16 | (head[7] & 0xFFL) << 24);
        if (length < declared) {
            throw new ImageException(file + ": corrupt or truncated WEBP data (the file has " + length
                    + " bytes, its RIFF header says " + declared + ")");
        }
    }

    private static String explain(String format, IIOException e) {
        String msg = describe(e);
        if (msg.contains("Unsupported Image Type") || msg.contains("Unsupported JPEG color")) {
            return "unsupported " + format + " color type (" + msg + "); save it as RGB";
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
        boolean cmyk = csType == ColorSpace.TYPE_CMYK && colors == 4;
        if (cmyk && cm.getComponentSize(0) != 8) {
            throw new ImageException(file + ": unsupported " + format + " CMYK sample size (" + cm.getComponentSize(0)
                    + " bits; 8-bit CMYK is read)");
        }
        if (!gray && !rgb && !cmyk) {
            String what = csType == ColorSpace.TYPE_CMYK ? "CMYK" : colors + "-channel";
            throw new ImageException(
                    file + ": unsupported " + format + " color type (" + what + "); save it as RGB or grayscale");
        }
        int bits = cm.getComponentSize(0);
        boolean alpha = cm.hasAlpha();
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int base = x * bands;
                if (cmyk) {
                    int nk = 255 - row[base + 3];
                    out[o] = (byte) cmykTo8(row[base], nk);
                    out[o + 1] = (byte) cmykTo8(row[base + 1], nk);
                    out[o + 2] = (byte) cmykTo8(row[base + 2], nk);
                } else if (gray) {
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

    /** PIL's cmyk2rgb: (255 − K) − C·(255 − K)/255, its rounded division by 255. */
    private static int cmykTo8(int c, int nk) {
        int t = c * nk + 128;
        return nk - (((t >> 8) + t) >> 8);
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
