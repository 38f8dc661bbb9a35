import io.edgecl.io.image.ImageDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Does the bundle's jlinked runtime have what the jar loads late or reflectively, which jdeps
 * cannot see? HttpServer (edgecl serve), sun.misc.Unsafe (LWJGL), ImageIO's JPEG/PNG/BMP codecs,
 * and the jar's own image readers (WebP, CMYK JPEG, TIFF: ImageIO plugins found through the jar's
 * merged META-INF/services) on the image files given. Compiled against the jar by
 * tools/gpu-bundle.sh and run with the bundled runtime: java -cp edgecl.jar:DIR RuntimeProbe IMAGE...
 */
public class RuntimeProbe {
    public static void main(String[] images) throws Exception {
        var s = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.start();
        s.stop(0);
        Class.forName("sun.misc.Unsafe");
        for (String fmt : new String[] {"jpeg", "png", "bmp"}) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            img.setRGB(3, 3, 0xff8040);
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            if (!ImageIO.write(img, fmt, o)) throw new IllegalStateException("no ImageIO writer for " + fmt);
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(o.toByteArray()));
            if (back == null || back.getWidth() != 8) throw new IllegalStateException("ImageIO cannot read " + fmt);
        }
        for (String f : images) {
            var img = ImageDecoder.decode(Path.of(f));
            System.out.println(f + ": " + img.width() + "x" + img.height());
        }
        System.out.println("probe ok");
    }
}
