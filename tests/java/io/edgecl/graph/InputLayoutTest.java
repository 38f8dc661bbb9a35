package io.edgecl.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.TestSupport;
import io.edgecl.ops.Act;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.KernelChoices;
import io.edgecl.ops.KernelFamily;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The network's first conv reads the caller's NCHW floats itself (kernel family conv-input), so
 * the plan drops its layout launch; any other reader of the input brings that launch back.
 */
class InputLayoutTest {
    /** The panel conv, by the input's layout (forced, so that every device runs the same path). */
    private static KernelChoices panel(Conv2d.Input input) {
        return KernelChoices.DEFAULTS
                .forcingParsed(KernelFamily.CONV, "panel:auto")
                .forcing(KernelFamily.CONV_INPUT, input);
    }

    private static List<String> kernels(Plan p) {
        return p.launches().stream().map(Launch::kernelName).toList();
    }

    /** Runs {@code g} in both layouts: each checked against the host, and the two alike. */
    private static void bothLayouts(Graph g, boolean nchwLaunchesLayout) {
        HostTensor input = OpSamples.input(g);
        float[] ref = HostEval.run(g, input).get("logits").data();
        float[] nchw, nhwc;
        try (Plan p = new Plan(TestSupport.context(), g, panel(Conv2d.Input.NCHW))) {
            assertEquals(
                    nchwLaunchesLayout,
                    kernels(p).contains("to_nhwc"),
                    kernels(p).toString());
            p.run(input);
            nchw = p.read("logits").data();
        }
        try (Plan p = new Plan(TestSupport.context(), g, panel(Conv2d.Input.NHWC))) {
            assertEquals("to_nhwc", kernels(p).get(0));
            p.run(input);
            nhwc = p.read("logits").data();
        }
        TestSupport.assertClose(ref, nchw, "NCHW input");
        TestSupport.assertClose(ref, nhwc, "NHWC input");
        // the same sums in the same order
        assertArrayEquals(nhwc, nchw);
    }

    /**
     * Every conv sample (a 3x3 stride-2 window with padding at batch 2, a patchify window without,
     * dilated windows with taps outside): the same programs as the conformance test's.
     */
    @Test
    void theConvSamplesReadTheImageAsItCame() {
        List<OpSamples.Sample> convs =
                OpSamples.all().stream().filter(s -> s.op() == ConvOp.class).toList();
        assertEquals(5, convs.size(), convs.toString());
        for (OpSamples.Sample s : convs) bothLayouts(OpSamples.build(s), false);
    }

    /** An input that another op reads too, and one of too many channels, are laid out first. */
    @Test
    void otherReadersAndWideInputsKeepTheLayoutLaunch() {
        Random r = new Random(5);
        // the shapes of sample conv3x3/s2/relu6, so its programs serve
        bothLayouts(
                OpSamples.graph(9, 11, 5, (gr, x) -> {
                    Block b = gr.block("b", "t");
                    Value y = gr.add(
                            b,
                            "conv",
                            new ConvOp(
                                    OpSamples.t(r, 0.3f, 3, 3, 5, 7),
                                    OpSamples.t(r, 0.1f, 7),
                                    3,
                                    3,
                                    2,
                                    1,
                                    1,
                                    Act.RELU6),
                            x);
                    Value x2 = gr.add(b, "act", new ActivationOp(Act.RELU), x);
                    Value z = gr.add(
                            b,
                            "conv2",
                            new ConvOp(OpSamples.t(r, 0.3f, 3, 3, 5, 7), null, 3, 3, 2, 1, 1, Act.NONE),
                            x2);
                    return gr.add(b, "add", new AddOp(Act.NONE), y, z);
                }),
                true);
        // 3 x 3 x 18 = 162 taps: more than the kernel unrolls
        bothLayouts(
                OpSamples.graph(
                        7,
                        6,
                        18,
                        (gr, x) -> gr.add(
                                gr.block("b", "t"),
                                "conv",
                                new ConvOp(OpSamples.t(r, 0.2f, 3, 3, 18, 7), null, 3, 3, 2, 1, 1, Act.NONE),
                                x)),
                true);
    }
}
