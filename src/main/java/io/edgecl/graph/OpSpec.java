package io.edgecl.graph;

import io.edgecl.cl.ClContext;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HostTensor;
import java.util.List;

/**
 * What a node computes, and everything that depends on what it computes: each op is one record
 * (one file, named in {@code permits}) that gives its output shape ({@link #outputShape}), its
 * device launches ({@link #lower}), its ONNX nodes ({@link #onnx}) and its plain Java reference
 * ({@link #reference}). The interface is sealed and those methods abstract, so an op that lacks
 * one does not compile. Weights are host tensors already in the kernels' layout (see each
 * record); the plan uploads them once per session.
 */
public sealed interface OpSpec
        permits ConvOp,
                DwConvOp,
                LayerNormOp,
                GemmOp,
                ActivationOp,
                ScaleAddOp,
                AddConstOp,
                SplitCascadeOp,
                PackedCascadeOp,
                DwConvLayerNormOp,
                ChannelAttentionOp,
                AvgPoolOp,
                AddOp,
                AffineOp,
                ChannelGateOp,
                ConcatOp,
                SelfAttentionOp,
                MultiQueryAttentionOp,
                Pool2dOp,
                DwConvTransposeOp,
                ResizeOp,
                AnchorConcatOp,
                ExpandDwOp,
                DwGemmOp,
                SqueezeExciteOp {
    String kind();

    /**
     * The output shape for inputs of shapes {@code in}, after checking that they fit the op (input
     * count, channels against the weights, windows against the input size); a {@link ShapeException}
     * says what does not fit.
     */
    Shape outputShape(List<Shape> in);

    /**
     * Whether the op can write its output as NCHW floats ({@link Lowering#nchwOutput}): the plan
     * asks it to for a graph output that no other op reads, which then goes to the host without
     * a layout pass.
     */
    default boolean writesNchwOutput() {
        return false;
    }

    /** Multiply-accumulates of the op for the given input/output values (for `models` and the profiler). */
    default long macs(List<Value> in, Value out) {
        return 0;
    }

    /** Parameter tensors, for counting and upload. */
    default List<HostTensor> params() {
        return List.of();
    }

    /** The host tensors the op's launches upload (its parameters, unless it keeps them in another form). */
    default List<HostTensor> deviceTensors() {
        return params();
    }

    /**
     * Device scratch the op's launches need beyond their output, in bytes, in the kernel variants
     * GPUs and other non-CPU devices run (CPU runtimes' variants may take more).
     */
    default long scratchBytes(List<Value> in, Value out) {
        return 0;
    }

    /**
     * Scratch the op's launches only use for values they write first (see
     * {@link Lowering#transientScratch}), in the kernel variants GPUs and other non-CPU devices
     * run: a plan shares one region among all ops, so it needs the largest of these.
     */
    default long transientScratchBytes(List<Value> in, Value out) {
        return 0;
    }

    /** {@link #transientScratchBytes(List, Value)} in the kernel variants {@code choices} select on {@code ctx}'s device. */
    default long transientScratchBytes(ClContext ctx, OpChoices choices, List<Value> in, Value out) {
        return transientScratchBytes(in, out);
    }

    /** The device launches computing {@code out} from {@code in}, with their arguments bound. */
    List<Launch> lower(Lowering l, List<Value> in, Value out);

    /** Writes the op's ONNX nodes (NCHW) at {@code s}. */
    void onnx(OnnxNodes e, Site s);

    /** The op on the host in double precision: NHWC {@code vals} (one per input) to the NHWC output. */
    double[] reference(List<Value> in, List<double[]> vals, Value out);
}
