package io.edgecl.ops;

import static io.edgecl.TestSupport.doubles;
import static io.edgecl.TestSupport.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgecl.TestSupport;
import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.HostOps;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelAttentionTest {
    @ParameterizedTest(name = "n={0} T={1} C={2} heads={3}")
    @CsvSource({
        // 2 images of 5x9 tokens, 45 channels in 3 heads of 15
        "2, 45, 45, 3",
        "3, 7, 14, 2",
        "2, 13, 13, 1",
        // one channel per head: the softmax over a single score is 1
        "1, 5, 4, 4",
        // a single token: every normalised vector is ±1
        "2, 1, 6, 2"
    })
    void matchesReference(int n, int t, int c, int heads) throws Exception {
        try (OpScope s = new OpScope("jocl", 7L * c + t)) {
            float[] qkv = s.random(n * t * 3 * c);
            // an all-zero q channel and k channel exercise the 1e-12 floor of F.normalize
            for (int tok = 0; tok < n * t; tok++) {
                qkv[tok * 3 * c] = 0;
                qkv[tok * 3 * c + c + c - 1] = 0;
            }
            float[] temp = new float[heads];
            for (int h = 0; h < heads; h++) temp[h] = 0.5f + 1.5f * s.rnd.nextFloat();
            float[] ref = floats(HostOps.channelAttention(doubles(qkv), n, t, c, heads, temp));

            ClBuffer dqkv = s.upload(qkv, "qkv"), dtemp = s.upload(temp, "temperature");
            long scratch = ChannelAttention.scratchFloats(n, c, heads);
            assertEquals((long) n * c * (c / heads), scratch);
            // NaN-filled: a score the first kernel fails to write poisons the result. Initialised
            // from the host also because Oclgrind's uninitialised-value checker does not carry
            // what one kernel wrote into the next launch and would flag the softmax's reads.
            ClBuffer dscratch = s.output((int) scratch, "attn");
            ClBuffer dout = s.output(n * t * c, "out");
            List<Launch> ls = s.own(ChannelAttention.create(s.ctx, dqkv, dtemp, dscratch, dout, n, t, c, heads));
            assertEquals(3, ls.size());
            s.run(ls.toArray(new Launch[0]));
            TestSupport.assertClose(ref, s.read(dout, n * t * c), "xca");

            long dd = scratch;
            OpScope.assertCost(ls.get(0), 2L * dd * t, 4L * dd);
            OpScope.assertCost(ls.get(1), dd, 4L * dd);
            OpScope.assertCost(ls.get(2), 2L * n * t * c * (c / heads), 4L * n * t * c);
        }
    }
}
