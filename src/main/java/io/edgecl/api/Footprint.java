package io.edgecl.api;

import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.MemoryPlanner;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.Precision;
import java.util.Set;

/**
 * What one input shape of a session costs on its device: kernel launches per forward, weight
 * bytes (shared by every shape of the session), activation bytes of this shape's plan, what the
 * activations would take without buffer reuse, and multiply-accumulates per forward.
 */
public record Footprint(int launches, long weightBytes, long activationBytes, long allActivationsBytes, long macs) {
    /** Weights plus activations: the device memory this shape needs. */
    public long peakBytes() {
        return weightBytes + activationBytes;
    }

    /**
     * The footprint of {@code model} at batch × h × w in {@code precision}, planned on the host
     * with no device (fused as a session fuses): for sizing a board before copying a model to
     * it. It is what {@link Session#prepare} reports on GPUs and other non-CPU devices; CPU
     * runtimes hold a few percent more (GEMM weights padded into panels, packed attention's
     * scratch). {@code launches} is -1 (known once planned on a device).
     */
    public static Footprint estimate(VisionModel model, int batch, int h, int w, Precision precision) {
        Weights ws = Weights.synthetic(null);
        Graph g = model.build(ws, batch, h, w);
        FusionScheduler.apply(g, Set.of());
        MemoryPlanner.Estimate e = MemoryPlanner.estimate(g, precision.elementBytes());
        return new Footprint(-1, e.weightBytes(), e.activationBytes(), e.allActivationsBytes(), g.macs());
    }
}
