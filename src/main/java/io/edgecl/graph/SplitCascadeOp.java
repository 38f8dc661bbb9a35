package io.edgecl.graph;

import static io.edgecl.graph.OpSupport.data;
import static io.edgecl.graph.OpSupport.dims;
import static io.edgecl.graph.OpSupport.perChannel;
import static io.edgecl.graph.OpSupport.require;
import static io.edgecl.graph.OpSupport.single;

import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.ops.Act;
import io.edgecl.ops.ConvShape;
import io.edgecl.ops.DepthwiseConv;
import io.edgecl.ops.DepthwiseConv.Slice;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Res2Net-style cascade over channel chunks of width {@code width}: y_0 = conv_0(x_0),
 * y_i = conv_i(x_i + y_{i-1}), the last chunk passes through; weights [k, k, width] each. One
 * depthwise launch per chunk; {@link PackedCascadeOp} is the one-launch form.
 */
public record SplitCascadeOp(int width, List<HostTensor> weights, List<HostTensor> biases, int k) implements OpSpec {
    public String kind() {
        return "split_cascade";
    }

    public Shape outputShape(List<Shape> in) {
        Shape x = single(in);
        require(
                !weights.isEmpty() && biases.size() == weights.size(),
                weights.size() + " weights and " + biases.size() + " biases");
        require(
                weights.size() * width <= x.c(),
                weights.size() + " chunks of " + width + " channels do not fit " + x.c() + " channels");
        for (int i = 0; i < weights.size(); i++) {
            dims(weights.get(i), "weight " + i, k, k, width);
            perChannel(biases.get(i), "bias " + i, width);
        }
        return x;
    }

    public long macs(List<Value> in, Value out) {
        return (long) out.rows() * width * weights.size() * k * k;
    }

    public List<HostTensor> params() {
        ArrayList<HostTensor> p = new ArrayList<>(weights);
        for (HostTensor b : biases) if (b != null) p.add(b);
        return p;
    }

    public List<Launch> lower(Lowering l, List<Value> in, Value y) {
        Value x = in.get(0);
        List<Launch> out = new ArrayList<>();
        int convs = weights.size();
        ConvShape shape = ConvShape.of(x.n, x.h, x.w, width, width, k, k, 1, k / 2, k / 2);
        for (int i = 0; i < convs; i++) {
            Slice src = new Slice(l.buf(x), x.c, i * width);
            Slice add = i == 0 ? null : new Slice(l.buf(y), y.c, (i - 1) * width);
            out.add(DepthwiseConv.create(
                    l.ctx(),
                    l.choices(),
                    shape,
                    src,
                    add,
                    l.weight(weights.get(i)),
                    l.weight(biases.get(i)),
                    new Slice(l.buf(y), y.c, i * width),
                    Act.NONE));
        }
        int rest = x.c - convs * width;
        if (rest > 0) {
            out.add(Elementwise.channelCopy(
                    l.ctx(), l.buf(x), l.buf(y), rest, x.rows(), x.c, convs * width, y.c, convs * width));
        }
        return out;
    }

    public void onnx(OnnxNodes e, Site s) {
        e.node("Concat", onnxParts(e, s), List.of(s.out()), Attr.i("axis", 1));
    }

    /** The ONNX split and convs; returns the chunks to concatenate along channels. */
    List<String> onnxParts(OnnxNodes e, Site s) {
        int convs = weights.size(), rest = s.x().c - convs * width;
        List<String> parts = new ArrayList<>();
        long[] sizes = new long[convs + (rest > 0 ? 1 : 0)];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = i < convs ? width : rest;
            parts.add(e.tmp());
        }
        e.node("Split", List.of(s.xi(), e.ints(sizes)), parts, Attr.i("axis", 1));
        List<String> cat = new ArrayList<>();
        String prev = null;
        for (int i = 0; i < convs; i++) {
            String src = i == 0 ? parts.get(0) : e.node("Add", List.of(parts.get(i), prev), List.of(e.tmp()));
            HostTensor b = biases.get(i);
            prev = e.node(
                    "Conv",
                    List.of(
                            src,
                            e.init(s.prefix() + "." + i + ".weight", Layouts.onnxDepthwise(weights.get(i))),
                            b == null ? "" : e.init(s.prefix() + "." + i + ".bias", b)),
                    List.of(e.tmp()),
                    Attr.ints("kernel_shape", k, k),
                    Attr.i("group", width),
                    Attr.ints("pads", k / 2, k / 2, k / 2, k / 2));
            cat.add(prev);
        }
        if (rest > 0) cat.add(parts.get(convs));
        return cat;
    }

    public double[] reference(List<Value> in, List<double[]> vals, Value y) {
        List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
        for (HostTensor t : weights) w.add(t.data());
        for (HostTensor t : biases) b.add(data(t));
        return HostOps.cascade(vals.get(0), in.get(0), width, w, b, k);
    }
}
