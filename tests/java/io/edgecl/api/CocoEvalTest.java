package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** COCO's AP and AR on a hand-made set whose answers are worked out below. */
class CocoEvalTest {
    private static CocoEval.Truth gt(int cat, double x, double y, double w, double h, boolean crowd) {
        return new CocoEval.Truth(1, cat, new double[] {x, y, w, h}, w * h, crowd);
    }

    private static CocoEval.Detection dt(int cat, double x, double y, double w, double h, double score) {
        return new CocoEval.Detection(1, cat, new double[] {x, y, w, h}, score);
    }

    @Test
    void workedExample() {
        var s = CocoEval.evaluate(
                List.of(
                        gt(1, 0, 0, 10, 10, false),
                        gt(1, 20, 20, 10, 10, false),
                        gt(2, 0, 0, 100, 100, true),
                        gt(2, 200, 200, 10, 10, false)),
                List.of(
                        dt(1, 0, 0, 10, 10, 0.9), // IoU 1 with the first box
                        dt(1, 21, 20, 10, 10, 0.8), // IoU 90/110 = 0.818 with the second
                        dt(1, 50, 50, 10, 10, 0.7), // nothing
                        dt(2, 10, 10, 10, 10, 0.9), // inside the crowd box: matched to it, ignored
                        dt(2, 200, 200, 10, 10, 0.8))); // the second box exactly
        // category 1: thresholds .50-.80 (7 of 10) match both boxes: precision 1 up to recall 1;
        // .85-.95 match the first only: precision 1 up to recall .5, i.e. 51 of 101 recall points
        double cat1 = (7 + 3 * 51 / 101.0) / 10;
        assertEquals(cat1, s.apPerCategory().get(1), 1e-12);
        // category 2: the detection in the crowd region is neither right nor wrong
        assertEquals(1.0, s.apPerCategory().get(2), 1e-12);
        assertEquals((cat1 + 1) / 2, s.ap(), 1e-12);
        assertEquals(1.0, s.ap50(), 1e-12);
        assertEquals(1.0, s.ap75(), 1e-12);
        // every box is small (area 100 < 32^2): the medium and large ranges have no ground truth
        assertEquals(s.ap(), s.apSmall(), 1e-12);
        assertEquals(-1, s.apMedium());
        assertEquals(-1, s.apLarge());
        // recall: category 1 finds 2/2 at 7 thresholds and 1/2 at 3; category 2 finds its one box
        assertEquals(((7 + 1.5) / 10 + 1) / 2, s.ar100(), 1e-12);
        // one detection per image and category: category 1 finds one of two boxes; category 2's
        // best-scored detection is the ignored one in the crowd region, so it finds none
        assertEquals((0.5 + 0) / 2, s.ar1(), 1e-12);
    }
}
