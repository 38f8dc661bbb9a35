package io.edgecl.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.SegmentationMask;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.Interpolation;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.io.image.Resampler;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.Detectors;
import io.edgecl.models.GoldenCase;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.SsdPostprocess;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** {@code serve}'s /v1/segment and /v1/detect answer what the library computes for the same image. */
class DenseEndpointsTest {
    private static final Path CAT = Path.of("tests/resources/images/cat.jpg");
    private final HttpClient client = HttpClient.newHttpClient();

    private static InferenceServer server(String fixture, Session[] session) throws Exception {
        GoldenCase gc = GoldenCase.load(fixture);
        VisionModel m = Models.fromSpec(gc.spec());
        Session s = Session.open(
                m,
                ModelWeights.load(gc.weights(), gc.keyFormat()),
                SessionOptions.defaults().withDevice(Device.wrap(TestSupport.context())));
        session[0] = s;
        InferenceServer srv = new InferenceServer(
                m,
                m.labels() != null ? Labels.of(m.labels()) : Labels.of(List.of("0", "1", "2", "3", "4")),
                new Preprocessor(m.preprocess()),
                List.of(s),
                new InferenceServer.Options("127.0.0.1", 0, 4, 1, 16, 1 << 22, 1_000_000, 20_000, 4));
        srv.start();
        return srv;
    }

    private HttpResponse<byte[]> post(InferenceServer srv, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srv.port() + path))
                        .header("Content-Type", "image/jpeg")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(CAT)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void segmentAnswersTheLibrarysMask() throws Exception {
        Session[] s = new Session[1];
        try (InferenceServer srv = server("lraspp_mobilenet_v3_large_035", s)) {
            HttpResponse<byte[]> r = post(srv, "/v1/segment?format=png");
            assertEquals(200, r.statusCode(), new String(r.body()));
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.body()));
            RgbImage img = ImageDecoder.decode(CAT);
            int[] wh = Preprocessor.resizedSize(img.width(), img.height(), 520);
            HostTensor x = new Preprocessor(s[0].model().preprocess())
                    .toTensor(Resampler.resize(img, wh[0], wh[1], Interpolation.BILINEAR));
            SegmentationMask want = SegmentationMask.of(s[0].run(x).get("out"), 0, img.height(), img.width());
            byte[] got = new byte[img.width() * img.height()];
            png.getRaster().getDataElements(0, 0, img.width(), img.height(), got);
            assertArrayEquals(want.classIndex(), got);
            HttpResponse<byte[]> j = post(srv, "/v1/segment");
            JsonObject doc = JsonParser.parseString(new String(j.body())).getAsJsonObject();
            assertEquals(img.width(), doc.get("width").getAsInt());
            assertTrue(doc.get("mask_png_base64").getAsString().length() > 100);
            assertEquals(400, post(srv, "/v1/detect").statusCode(), "a segmenter does not detect");
            assertEquals(400, post(srv, "/v1/classify").statusCode(), "nor classify");
        }
    }

    @Test
    void detectAnswersTheLibrarysBoxes() throws Exception {
        Session[] s = new Session[1];
        try (InferenceServer srv = server("ssdlite320_mobilenet_v3_large_035", s)) {
            HttpResponse<byte[]> r = post(srv, "/v1/detect?score=0.5");
            assertEquals(200, r.statusCode(), new String(r.body()));
            JsonObject doc = JsonParser.parseString(new String(r.body())).getAsJsonObject();
            Detectors d = (Detectors) s[0].model();
            RgbImage img = ImageDecoder.decode(CAT);
            Map<String, HostTensor> out =
                    s[0].run(d.transform(img), Set.copyOf(d.headOutputs())).asMap();
            SsdPostprocess.Detections want = d.detections(out, 0, img.height(), img.width());
            int shown = 0;
            for (float sc : want.scores()) if (sc >= 0.5f) shown++;
            var dets = doc.getAsJsonArray("detections");
            assertEquals(shown, dets.size());
            assertTrue(shown > 0);
            var first = dets.get(0).getAsJsonObject();
            assertEquals(want.labels()[0], first.get("label").getAsInt());
            assertEquals(want.boxes()[0][0], first.getAsJsonArray("box").get(0).getAsFloat(), 1e-3);
            assertEquals(400, post(srv, "/v1/detect?score=2").statusCode());
        }
    }
}
