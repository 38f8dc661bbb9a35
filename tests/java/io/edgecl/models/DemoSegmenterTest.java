package io.edgecl.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.SegmentationMask;
import io.edgecl.api.SegmentationMetrics;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.VocSegmentation;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The embedded demo segmenter on the held-out scenes its training script wrote: every image's
 * mask is PyTorch's, and the mIoU and pixel accuracy are the ones PyTorch measured.
 */
class DemoSegmenterTest {
    private static final Path SCENES = Path.of("tests/resources/demo/fmnist-scenes");

    @Test
    void heldOutScenesScoreAsInPyTorchImageByImage() throws Exception {
        JsonObject ref;
        try (InputStream in = DemoSegmenter.class.getResourceAsStream("/io/edgecl/demo/lraspp_fmnist.json")) {
            ref = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        }
        VisionModel model = DemoSegmenter.load();
        assertEquals(DemoSegmenter.NAME, model.name());
        SegmentationMetrics m = new SegmentationMetrics(model.numClasses());
        long differ = 0, pixels = 0;
        int images = 0;
        try (Session s = Session.open(
                model,
                DemoSegmenter.weights(),
                SessionOptions.defaults().withDevice(Device.wrap(TestSupport.context())))) {
            for (VocSegmentation.Item it : VocSegmentation.scan(SCENES, "val")) {
                SegmentationMask mask = s.segment(ImageDecoder.decode(it.image()), 128);
                byte[] torch = VocSegmentation.readMask(SCENES.resolve("Torch").resolve(it.id() + ".png"))
                        .classes();
                for (int i = 0; i < torch.length; i++) if (torch[i] != mask.classIndex()[i]) differ++;
                pixels += torch.length;
                m.add(mask.classIndex(), VocSegmentation.readMask(it.mask()).classes());
                images++;
            }
        }
        assertEquals(50, images);
        // argmax may differ where PyTorch's two best scores are within float rounding of each other
        assertTrue(differ <= pixels / 10_000, differ + " of " + pixels + " pixels differ from PyTorch's masks");
        assertEquals(ref.get("torch_miou").getAsDouble(), m.meanIou(), 1e-3, "mIoU");
        assertEquals(ref.get("torch_pixel_accuracy").getAsDouble(), m.pixelAccuracy(), 1e-4, "pixel accuracy");
        assertTrue(m.meanIou() > 0.4, "the demo segments: mIoU " + m.meanIou());
    }
}
