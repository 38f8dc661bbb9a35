package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import org.junit.jupiter.api.Test;

/**
 * The fused expansion + depthwise kernel at a batch and width where work-groups of many items
 * would each hold their private ring (55 KB, now 110 KB with two channel vectors per item) on one
 * of PoCL's worker stacks: 30 channel panels and 64 images made groups of 240 items (13 MB) and
 * the process died of a stack overflow, with no JVM error report. On a CPU runtime the kernel now
 * runs one item per group.
 */
class ExpandDepthwiseTest {
    @Test
    void largeBatchAndWidthAgainstTheReference() throws Exception {
        // on the Oclgrind simulator (no worker stacks; every item interpreted) a small case
        boolean sim = OpScope.simulated("jocl");
        int n = sim ? 2 : 64, h = 14, w = 14, cin = 16, cexp = sim ? 40 : 480, k = 3, stride = 1, pad = 1;
        try (OpScope s = new OpScope("jocl", 5)) {
            int vw = ExpandDepthwise.channelWidth(s.ctx);
            float[] x = s.random(n * h * w * cin), we = s.random(cin * cexp), be = s.random(cexp);
            float[] wd = s.random(k * k * cexp), bd = s.random(cexp);
            double[] mid = HostOps.gemm(doubles(x), null, h * w, null, n * h * w, cin, cexp, we, be, Act.RELU6, null);
            double[] ref =
                    HostOps.conv(mid, n, h, w, cexp, h, w, cexp, wd, bd, k, k, stride, pad, pad, 1, Act.RELU6, 1);
            ClBuffer y = s.output(n * h * w * cexp, "y");
            Launch l = s.own(ExpandDepthwise.create(
                    s.ctx,
                    new ConvShape(n, h, w, cin, cexp, k, k, stride, pad, pad, h, w),
                    s.upload(x, "x"),
                    s.upload(ExpandDepthwise.layoutExpand(we, cin, cexp, vw), "we"),
                    s.upload(ExpandDepthwise.padRows(be, 1, cexp, vw), "be"),
                    Act.RELU6,
                    s.upload(ExpandDepthwise.padRows(wd, k * k, cexp, vw), "wd"),
                    s.upload(ExpandDepthwise.padRows(bd, 1, cexp, vw), "bd"),
                    Act.RELU6,
                    y,
                    null,
                    OpChoices.DEFAULTS));
            s.run(l);
            TestSupport.assertClose(floats(ref), s.read(y, n * h * w * cexp), "expand_dw n=64 c=480");
        }
    }
}
