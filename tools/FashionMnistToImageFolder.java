/*
 * Turns the Fashion-MNIST test set (IDX files, as the Debian package dataset-fashion-mnist
 * installs them under /usr/share/datasets/fashion-mnist) into an ImageFolder tree of 32x32
 * 8-bit grayscale PNGs, each 28x28 image zero-padded by 2 pixels on every side (the EdgeCL
 * demo model's preprocessing).
 *
 *   java tools/FashionMnistToImageFolder.java [IDX_DIR] OUT_DIR [--limit N]
 *
 * Layout: OUT_DIR/<c>_<class name>/<index>.png with <c> the class index (0-9, so folders sort
 * in class order as torchvision's ImageFolder expects) and <index> the 5-digit position in the
 * IDX file, so file order is recoverable by sorting the file names across folders.
 * Runs with the JDK alone (single-file source launch); no build needed.
 */

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

public class FashionMnistToImageFolder {
    static final String[] CLASSES = {
        "T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"
    };

    public static void main(String[] args) throws IOException {
        Path idx = Paths.get("/usr/share/datasets/fashion-mnist");
        Path out = null;
        int limit = Integer.MAX_VALUE;
        java.util.List<String> pos = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--limit")) limit = Integer.parseInt(args[++i]);
            else pos.add(args[i]);
        }
        if (pos.size() == 1) out = Paths.get(pos.get(0));
        else if (pos.size() == 2) {
            idx = Paths.get(pos.get(0));
            out = Paths.get(pos.get(1));
        } else {
            System.err.println("usage: java tools/FashionMnistToImageFolder.java [IDX_DIR] OUT_DIR [--limit N]");
            System.exit(2);
        }
        Path images = idx.resolve("t10k-images-idx3-ubyte.gz"), labels = idx.resolve("t10k-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            System.err.println(
                    "Fashion-MNIST test files not found in " + idx + " (apt-get install dataset-fashion-mnist)");
            System.exit(2);
        }
        try (DataInputStream im = open(images, 0x803);
                DataInputStream lb = open(labels, 0x801)) {
            int n = im.readInt(), rows = im.readInt(), cols = im.readInt();
            int nl = lb.readInt();
            if (n != nl || rows != 28 || cols != 28)
                throw new IOException(
                        "unexpected IDX shapes: " + n + " images " + rows + "x" + cols + ", " + nl + " labels");
            n = Math.min(n, limit);
            for (int c = 0; c < CLASSES.length; c++) Files.createDirectories(out.resolve(c + "_" + CLASSES[c]));
            byte[] px = new byte[28 * 28];
            for (int i = 0; i < n; i++) {
                im.readFully(px);
                int label = lb.readUnsignedByte();
                if (label >= CLASSES.length) throw new IOException("label " + label + " at index " + i);
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
                byte[] dst = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
                for (int y = 0; y < 28; y++) System.arraycopy(px, y * 28, dst, (y + 2) * 32 + 2, 28);
                Path f = out.resolve(label + "_" + CLASSES[label]).resolve(String.format("%05d.png", i));
                ImageIO.write(img, "png", f.toFile());
            }
            System.err.println("wrote " + n + " images to " + out);
        }
    }

    private static DataInputStream open(Path p, int magic) throws IOException {
        InputStream in = new GZIPInputStream(Files.newInputStream(p), 1 << 16);
        DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
        int m = d.readInt();
        if (m != magic) throw new IOException(p + ": bad IDX magic " + Integer.toHexString(m));
        return d;
    }
}
