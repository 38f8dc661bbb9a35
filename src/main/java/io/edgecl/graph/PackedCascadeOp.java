package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.nonNull;
import static io.edgecl.graph.OpSupport.require;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import io.edgecl.ops.SplitCascade;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SplitCascadeOp} in one launch: weights packed [nconv, k, k, width], biases [nconv, width]
 * (null when the convs have none), and an optional positional encoding {@code pos} [H*W, C] added
 * to the result ({@code posMacsPerImage} as in {@link AddConstOp}). Devices without the packed
 * kernel run the chunks (and the encoding as one more launch).
 */
public record PackedCascadeOp(
        int width,
        List<HostTensor> weights,
        List<HostTensor> biases,
        int k,
        HostTensor packed,
        HostTensor packedBias,
        HostTensor pos,
        long posMacsPerImage)
        implements OpSpec {
    /** {@code c} with its weights and biases packed, no positional encoding. */
    public static PackedCascadeOp pack(SplitCascadeOp c) {
        HostTensor packedBias = c.biases().get(0) == null ? null : HostTensor.concat(c.biases());
        return new PackedCascadeOp(
                c.width(), c.weights(), c.biases(), c.k(), HostTensor.concat(c.weights()), packedBias, null, 0);
    }

    /** The same op adding {@code constant} to its result. */
    public PackedCascadeOp withPos(HostTensor constant, long sourceMacsPerImage) {
        return new PackedCascadeOp(width, weights, biases, k, packed, packedBias, constant, sourceMacsPerImage);
    }

    /** The chunked form of the same cascade (no positional encoding). */
    public SplitCascadeOp chunks() {
        return new SplitCascadeOp(width, weights, biases, k);
    }

    public String kind() {
        return "split_cascade";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = chunks().outputShape(in);
        int convs = weights.size();
        require(packed.numel() == convs * k * k * width, "the packed weights have " + packed.numel() + " values");
        if (packedBias != null) {
            require(packedBias.numel() == convs * width, "the packed biases have " + packedBias.numel() + " values");
        }
        if (pos != null) {
            require(
                    pos.numel() == x.h() * x.w() * x.c(),
                    "the positional encoding has " + pos.numel() + " values, the input " + x.h() + "x" + x.w() + "x"
                            + x.c() + " per image");
        }
        return x;
    }

    public long macs(List<Value> in, Value out) {
        return chunks().macs(in, out) + posMacsPerImage * out.n;
    }

    public List<HostTensor> params() {
        return chunks().params();
    }

    public List<HostTensor> deviceTensors() {
        return nonNull(packed, packedBias, pos);
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        if (SplitCascade.packed(l.choices(), l.ctx())) {
            return List.of(SplitCascade.create(
                    l.ctx(),
                    l.buf(x),
                    l.weight(packed),
                    l.weight(packedBias),
                    l.weight(pos),
                    l.buf(y),
                    x.n,
                    x.h,
                    x.w,
                    x.c,
                    width,
                    weights.size(),
                    k));
        }
        List<Launch> out = new ArrayList<>(chunks().lower(l, in, y));
        // the packed form's positional encoding, when this device runs the packed form as chunks
        if (pos != null) {
            out.add(Elementwise.addBroadcast(l.ctx(), l.buf(y), l.weight(pos), l.buf(y), (int) y.numel(), pos.numel()));
        }
        return out;
    }

    public void onnx(OnnxNodes e, Site s) {
        if (pos == null) {
            chunks().onnx(e, s);
        } else {
            String c = e.node("Concat", chunks().onnxParts(e, s), List.of(e.tmp()), Attr.i("axis", 1));
            new AddConstOp(pos, posMacsPerImage).onnx(e, s.reading(c, s.y()));
        }
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        double[] o = chunks().reference(in, vals, y);
        return pos == null ? o : HostOps.addPeriodic(o, pos.data());
    }
}
