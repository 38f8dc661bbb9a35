package io.edgecl.io.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Class-index masks as images: the palette PNG Pascal VOC's SegmentationClass files are (index
 * i in VOC's colour i, so VOC tools and viewers read them as they are), and an overlay of the mask
 * on the image. Files are written whole or not at all (a temporary file moved into place).
 */
public final class MaskImages {
    private MaskImages() {}

    /** VOC's colour map: the bits of the index spread over R, G and B from the most significant bit down. */
    public static int[] vocPalette() {
        int[] rgb = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 0; j < 8; j++) {
                r |= (c & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        return rgb;
    }

    /** The mask [height × width] of class indices (0-255) as an 8-bit palette image. */
    public static BufferedImage palette(byte[] mask, int width, int height) {
        int[] pal = vocPalette();
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (pal[i] >> 16);
            g[i] = (byte) (pal[i] >> 8);
            b[i] = (byte) pal[i];
        }
        BufferedImage img =
                new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        System.arraycopy(mask, 0, px, 0, width * height);
        return img;
    }

    /** The image with every pixel not of class 0 (background) blended half and half with its class colour. */
    public static BufferedImage overlay(RgbImage image, byte[] mask) {
        int w = image.width(), h = image.height();
        int[] pal = vocPalette();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int p = y * w + x, k = mask[p] & 0xFF;
                int r = rgb[3 * p] & 0xFF, g = rgb[3 * p + 1] & 0xFF, b = rgb[3 * p + 2] & 0xFF;
                if (k != 0) {
                    r = (r + (pal[k] >> 16 & 0xFF)) / 2;
                    g = (g + (pal[k] >> 8 & 0xFF)) / 2;
                    b = (b + (pal[k] & 0xFF)) / 2;
                }
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        return out;
    }

    /** Writes {@code img} as PNG to {@code file}, whole or not at all ({@link io.edgecl.io.OutputFiles}). */
    public static void writePng(BufferedImage img, Path file) {
        io.edgecl.io.OutputFiles.write(file, tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                if (!ImageIO.write(img, "png", os)) throw new IOException("no PNG writer");
            }
        });
    }

    /** A box to draw: corners in pixels, a caption, and the palette index its colour comes from. */
    public record Box(float x1, float y1, float x2, float y2, String caption, int colour) {}

    /**
     * The image with each box outlined (2 px) in VOC's colour for its index and captioned above its
     * corner. Without usable fonts (a headless machine with no font files) the boxes are drawn
     * without captions; the return value says whether captions were drawn.
     */
    public static boolean drawBoxes(RgbImage image, List<Box> boxes, BufferedImage[] out) {
        int w = image.width(), h = image.height();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        byte[] rgb = image.rgb();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int p = 3 * (y * w + x);
                img.setRGB(x, y, ((rgb[p] & 0xFF) << 16) | ((rgb[p + 1] & 0xFF) << 8) | (rgb[p + 2] & 0xFF));
            }
        int[] pal = vocPalette();
        java.awt.Graphics2D g = img.createGraphics();
        boolean captions = true;
        try {
            g.setStroke(new java.awt.BasicStroke(2f));
            for (Box b : boxes) {
                // index 0 is black in VOC's palette; start the colours at 1
                g.setColor(new java.awt.Color(pal[1 + b.colour() % 255]));
                g.drawRect(
                        Math.round(b.x1()),
                        Math.round(b.y1()),
                        Math.max(1, Math.round(b.x2() - b.x1())),
                        Math.max(1, Math.round(b.y2() - b.y1())));
            }
            try {
                g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
                for (Box b : boxes) {
                    g.setColor(new java.awt.Color(pal[1 + b.colour() % 255]));
                    g.drawString(b.caption(), Math.round(b.x1()) + 2, Math.max(12, Math.round(b.y1()) - 2));
                }
            } catch (Error e) {
                // no font files: AWT fails to load a font (InternalError, UnsatisfiedLinkError)
                captions = false;
            }
        } finally {
            g.dispose();
        }
        out[0] = img;
        return captions;
    }
}
