package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.tensor.HostTensor;
import java.util.Random;
import picocli.CommandLine.Option;

/** Input shape and iteration options of bench and profile. */
public final class RunOptions extends ShapeOptions {
    @Option(names = "--iters", paramLabel = "N", defaultValue = "20", description = "Measured forwards (default: 20).")
    int iters;

    @Option(
            names = "--warmup",
            paramLabel = "W",
            defaultValue = "3",
            description = "Unmeasured forwards first (default: 3).")
    int warmup;

    @Option(names = "--random-weights", description = "Use random weights of the right shapes (no -w needed).")
    boolean randomWeights;

    void check() {
        if (batch <= 0) throw new EdgeClException("--batch must be positive, got " + batch);
        if (iters <= 0) throw new EdgeClException("--iters must be positive, got " + iters);
        if (warmup < 0) throw new EdgeClException("--warmup must not be negative, got " + warmup);
    }

    /** A reproducible standard-normal input [batch, channels, s, s]. */
    HostTensor input(int channels, int s) {
        HostTensor t = HostTensor.zeros(batch, channels, s, s);
        Random r = new Random(0);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
        return t;
    }
}
