package io.edgecl.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.EdgeClException;
import io.edgecl.TestSupport;
import io.edgecl.models.DemoModel;
import io.edgecl.models.DemoSegmenter;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.HostTensor;
import io.edgecl.tensor.Precision;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Session#runInto}: the caller's array receives exactly what {@link Session#run} returns,
 * for a classifier's logits and for a segmenter's map (which its final resize writes as NCHW
 * floats), in both storage precisions and through both bindings, forward after forward into the same array.
 */
class RunIntoTest {
    private static HostTensor input(Random r, int batch, int h, int w) {
        return new HostTensor(new int[] {batch, 3, h, w}, TestSupport.random(r, batch * 3 * h * w, 1f));
    }

    private static void check(
            String binding, VisionModel model, Weights weights, Precision p, int batch, int h, int w) {
        // a session on a given device runs in that device's precision
        var ctx = TestSupport.context(binding);
        ctx.setPrecision(p);
        SessionOptions o = SessionOptions.defaults().withDevice(Device.wrap(ctx));
        Random r = new Random(11);
        try (Session s = Session.open(model, weights, o)) {
            assertSame(p, ctx.precision());
            HostTensor first = input(r, batch, h, w);
            float[] into = new float[s.run(first).get(model.primaryOutput()).data().length];
            for (int i = 0; i < 3; i++) {
                HostTensor x = input(r, batch, h, w);
                float[] want = s.run(x).get(model.primaryOutput()).data();
                java.util.Arrays.fill(into, Float.NaN);
                assertSame(into, s.runInto(x, into));
                assertArrayEquals(want, into, model.name() + " " + p + " forward " + i);
            }
            EdgeClException e = assertThrows(EdgeClException.class, () -> s.runInto(first, new float[into.length - 1]));
            assertTrue(e.getMessage().contains("the array given holds " + (into.length - 1)), e.getMessage());
        } finally {
            ctx.setPrecision(Precision.FP32);
        }
    }

    @Test
    void classifierLogits() {
        for (Precision p : new Precision[] {Precision.FP32, Precision.FP16_STORAGE})
            check("jocl", DemoModel.load(), DemoModel.weights(), p, 3, 32, 32);
    }

    @Test
    void segmenterMapsWrittenAsNchwByTheirFinalResize() {
        // 45x70: the final resize's rows end in a partial group of 16 pixels
        for (Precision p : new Precision[] {Precision.FP32, Precision.FP16_STORAGE})
            check("jocl", DemoSegmenter.load(), DemoSegmenter.weights(), p, 2, 45, 70);
        // the other binding's read into an array
        check("lwjgl", DemoSegmenter.load(), DemoSegmenter.weights(), Precision.FP32, 1, 45, 70);
    }
}
