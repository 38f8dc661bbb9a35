package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.models.GoldenCase;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * {@code profile --html}: one page that needs nothing from the network, whose charts hold one
 * mark per kernel and per launch, and which Chromium renders (when Debian's chromium is installed).
 */
class HtmlReportTest {
    @Test
    void selfContainedPageWithRooflineBlocksAndTimeline(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("case.json");
        Files.copy(GoldenCase.load("edgenext_tiny").dir().resolve("case.json"), cfg);
        Path html = dir.resolve("report.html"), csv = dir.resolve("p.csv");
        var r = PredictCliTest.run(
                "profile",
                "--model-config",
                cfg.toString(),
                "--random-weights",
                "--size",
                "64",
                "--iters",
                "2",
                "--warmup",
                "1",
                "--html",
                html.toString(),
                "--csv",
                csv.toString());
        assertEquals(0, r.code(), r.err());
        String page = Files.readString(html, StandardCharsets.UTF_8);

        // Nothing is fetched when the page is viewed: no script, no linked file, no URL but SVG's namespace.
        assertFalse(page.contains("<script"), "no script");
        for (String attr : List.of("src=", "href=", "@import", "url(")) assertFalse(page.contains(attr), attr);
        assertEquals(count(page, "http"), count(page, "xmlns=\"http://www.w3.org/2000/svg\""), "only SVG namespaces");

        long launches = Files.readAllLines(csv).size() - 1;
        Document roof = svg(page, "roofline"), blocks = svg(page, "blocks"), timeline = svg(page, "timeline");
        assertEquals(launches, timeline.getElementsByTagName("rect").getLength(), "one bar per launch");
        int kernels = roof.getElementsByTagName("circle").getLength();
        assertTrue(kernels >= 5, "a point per kernel: " + kernels);
        assertEquals(1, roof.getElementsByTagName("polyline").getLength(), "the compute and bandwidth ceilings");
        assertTrue(blocks.getElementsByTagName("rect").getLength() >= 4, "a bar per block");
        assertTrue(page.contains("stages.1.blocks.1"), "blocks are named");
        assertTrue(page.contains("gaps between launches"), "the wall time's split");

        rendersInChromium(html, dir);
    }

    /** Headless Chromium takes a screenshot; it must show the red ceiling and the kernels' colours. */
    private static void rendersInChromium(Path html, Path dir) throws Exception {
        String chromium = null;
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (new File(c).canExecute()) chromium = c;
        }
        if (chromium == null) {
            io.edgecl.TestSupport.skip("HtmlReportTest Chromium render: no chromium (tools/install-deps.sh chromium)");
        }
        Path png = dir.resolve("report.png");
        Process p = new ProcessBuilder(
                        chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--hide-scrollbars",
                        "--window-size=1100,1400",
                        "--screenshot=" + png,
                        html.toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finishes");
        assertTrue(Files.size(png) > 10_000, "a screenshot: " + Files.readString(dir.resolve("chromium.log")));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png)));
        Set<Integer> colours = new HashSet<>();
        boolean red = false;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                int rr = rgb >> 16, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
                if (rr > 180 && g < 40 && b < 40) red = true;
            }
        }
        assertTrue(red, "the roofline's ceiling is drawn");
        assertTrue(colours.size() > 50, "charts, not a blank page: " + colours.size() + " colours");
        Path keep = Path.of("target", "html-report.png");
        Files.createDirectories(keep.getParent());
        Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Document svg(String page, String id) throws Exception {
        Matcher m = Pattern.compile("<svg [^>]*id=\"" + id + "\".*?</svg>", Pattern.DOTALL)
                .matcher(page);
        assertTrue(m.find(), "an SVG with id " + id);
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
