package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The scores worked out by hand on two tiny images. */
class SegmentationMetricsTest {
    @Test
    void confusionOverTheDatasetWithBordersIgnored() {
        SegmentationMetrics m = new SegmentationMetrics(3);
        // image 1: truth 0 0 1 1 (255) ; predicted 0 1 1 1 2
        m.add(new byte[] {0, 1, 1, 1, 2}, new byte[] {0, 0, 1, 1, (byte) 255});
        // image 2: truth 1 1 0 ; predicted 1 0 0
        m.add(new byte[] {1, 0, 0}, new byte[] {1, 1, 0});
        // confusion (truth x predicted): 0->0: 2, 0->1: 1, 1->1: 3, 1->0: 1; class 2 nowhere
        double[] iou = m.iou();
        assertEquals(2.0 / (3 + 3 - 2), iou[0], 1e-12); // TP 2, truth 3, predicted 3
        assertEquals(3.0 / (4 + 4 - 3), iou[1], 1e-12); // TP 3, truth 4, predicted 4
        assertTrue(
                Double.isNaN(iou[2]), "a class in neither has no IoU (the 2 predicted on a border pixel is ignored)");
        assertEquals((0.5 + 0.6) / 2, m.meanIou(), 1e-12);
        assertEquals(5.0 / 7, m.pixelAccuracy(), 1e-12);
        assertEquals(3, m.pixelsPerClass()[0]);
    }

    @Test
    void labelsBeyondTheClassesAreCountedApart() {
        SegmentationMetrics m = new SegmentationMetrics(2);
        m.add(new byte[] {0, 1, 1}, new byte[] {0, 7, 1});
        assertEquals(1, m.pixelsOutsideTheClasses());
        assertEquals(1.0, m.meanIou(), 1e-12);
    }
}
