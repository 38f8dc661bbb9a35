package io.edgecl.io.image;

import io.edgecl.EdgeClException;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A segmentation dataset in Pascal VOC's layout: {@code JPEGImages/ID.jpg} (or another image
 * extension), {@code SegmentationClass/ID.png} (class indices, in a palette PNG as VOC stores
 * them or an 8-bit gray PNG, 255 for pixels to ignore), and optionally
 * {@code ImageSets/Segmentation/SPLIT.txt} listing the ids of a split.
 */
public final class VocSegmentation {
    private VocSegmentation() {}

    /** One image of the dataset and its mask. */
    public record Item(String id, Path image, Path mask) {}

    /** A mask: class index per pixel, row by row. */
    public record Mask(int width, int height, byte[] classes) {}

    /**
     * The items of {@code split} when {@code ImageSets/Segmentation/SPLIT.txt} exists, else every
     * mask in SegmentationClass (sorted), each with its image.
     */
    public static List<Item> scan(Path root, String split) {
        Path masks = root.resolve("SegmentationClass"), images = root.resolve("JPEGImages");
        if (!Files.isDirectory(masks) || !Files.isDirectory(images)) {
            throw new EdgeClException(root + " is not in VOC's layout: it needs JPEGImages/ and SegmentationClass/");
        }
        List<String> ids = new ArrayList<>();
        Path list = root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
        try {
            if (Files.isRegularFile(list)) {
                for (String line : Files.readAllLines(list)) if (!line.isBlank()) ids.add(line.trim());
            } else {
                try (Stream<Path> s = Files.list(masks)) {
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.toLowerCase(java.util.Locale.ROOT).endsWith(".png"))
                            .sorted()
                            .forEach(n -> ids.add(n.substring(0, n.length() - 4)));
                }
            }
        } catch (IOException e) {
            throw new EdgeClException("cannot read " + root + ": " + e.getMessage());
        }
        List<Item> out = new ArrayList<>();
        for (String id : ids) {
            Path mask = masks.resolve(id + ".png");
            if (!Files.isRegularFile(mask)) throw new EdgeClException("no mask " + mask + " for image id " + id);
            Path image = null;
            for (String ext : new String[] {".jpg", ".jpeg", ".png", ".JPG", ".bmp", ".webp", ".tif", ".tiff"}) {
                if (Files.isRegularFile(images.resolve(id + ext))) {
                    image = images.resolve(id + ext);
                    break;
                }
            }
            if (image == null) throw new EdgeClException("no image in " + images + " for mask " + mask);
            out.add(new Item(id, image, mask));
        }
        if (out.isEmpty())
            throw new EdgeClException(root + " holds no mask" + (Files.isRegularFile(list) ? " in " + list : ""));
        return out;
    }

    /** Reads a class-index mask: a palette PNG (the indices, not the colours) or an 8-bit gray PNG. */
    public static Mask readMask(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new ImageException("cannot read mask " + file + ": " + e.getMessage());
        }
        if (img == null) throw new ImageException(file + " is not an image");
        boolean palette = img.getColorModel() instanceof IndexColorModel;
        boolean gray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
        if (!(palette || gray)
                || img.getRaster().getNumBands() != 1
                || img.getColorModel().getPixelSize() > 8) {
            throw new ImageException(file + " is not a class-index mask: it needs one 8-bit channel of class indices "
                    + "(a palette PNG, as VOC's SegmentationClass, or a gray PNG), not " + describe(img));
        }
        int w = img.getWidth(), h = img.getHeight();
        byte[] classes = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRaster().getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) classes[y * w + x] = (byte) row[x];
        }
        return new Mask(w, h, classes);
    }

    private static String describe(BufferedImage img) {
        int bands = img.getRaster().getNumBands();
        return bands == 3 ? "an RGB image" : bands == 4 ? "an RGBA image" : bands + " channels";
    }
}
