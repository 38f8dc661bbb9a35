package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.graph.OnnxNodes.Attr;
import io.edgecl.graph.OnnxNodes.Site;
import io.edgecl.tensor.HostTensor;
import io.edgecl.ops.Act;
import io.edgecl.ops.Attention;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.DepthwiseConv;
import io.edgecl.ops.DepthwiseConv.Slice;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Launch;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node computes, and everything that depends on what it computes: each op is one record
 * that gives its device launches ({@link #lower}), its ONNX nodes ({@link #onnx}) and its plain
 * Java reference ({@link #reference}). The interface is sealed and the three methods abstract, so
 * an op that lacks one does not compile. Weights are host tensors already in the kernels' layout
 * (see each record); the plan uploads them once per session.
 */
public sealed interface OpSpec {
    String kind();

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

    /** {@link #transientScratchBytes(List, Value)} in the kernel variants {@code ctx}'s device runs. */
    default long transientScratchBytes(io.edgecl.cl.ClContext ctx, List<Value> in, Value out) {
        return transientScratchBytes(in, out);
    }

    /** The device launches computing {@code out} from {@code in}, with their arguments bound. */
    List<Launch> lower(Lowering l, List<Value> in, Value out);

    /** Writes the op's ONNX nodes (NCHW) at {@code s}. */
    void onnx(OnnxNodes e, Site s);

    /** The op on the host in double precision: NHWC {@code vals} (one per input) to the NHWC output. */
    double[] reference(List<Value> in, List<double[]> vals, Value out);

    /** Dense conv; weight [KH, KW, Cin, Cout]. */
    record Conv(HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, Act act)
            implements OpSpec {
        public String kind() {
            return "conv2d";
        }

        public long macs(List<Value> in, Value out) {
            return out.numel() * kh * kw * in.get(0).c;
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            io.edgecl.ops.Gemm.Config panel = Conv2d.panel(l.ctx(), y.c);
            int k = kh * kw * x.c;
            ClBuffer w = panel != null
                    ? l.weight(weight, panel.layout(), () -> io.edgecl.ops.Gemm.layoutB(weight.data(), k, y.c, panel))
                    : l.weight(weight);
            return List.of(Conv2d.create(l.ctx(), l.buf(x), w, l.weight(bias), l.buf(y), x.n, x.h, x.w, x.c, y.c, kh,
                    kw, stride, padH, padW, act, y.h, y.w, panel));
        }

        public void onnx(OnnxNodes e, Site s) {
            String t = e.node("Conv", List.of(s.xi(), e.init(s.prefix() + ".weight", Layouts.onnxConv(weight)),
                            bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                    List.of(act != Act.NONE ? e.tmp() : s.out()), Attr.ints("kernel_shape", kh, kw),
                    Attr.ints("strides", stride, stride), Attr.ints("pads", Layouts.pads(s.x(), s.y(), kh, kw, stride,
                            padH, padW)));
            e.activation(act, t, s.out());
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return HostOps.conv(vals.get(0), in.get(0), y, weight.data(), data(bias), kh, kw, stride, padH, padW, act);
        }
    }

    /** Depthwise conv; weight [KH, KW, Cout]; output channel co reads input channel co / mult. */
    record DwConv(HostTensor weight, HostTensor bias, int kh, int kw, int stride, int padH, int padW, int mult,
                  Act act) implements OpSpec {
        public String kind() {
            return "dwconv";
        }

        public long macs(List<Value> in, Value out) {
            return out.numel() * kh * kw;
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            return List.of(DepthwiseConv.create(l.ctx(), Slice.whole(l.buf(x), x.c), null, l.weight(weight),
                    l.weight(bias), Slice.whole(l.buf(y), y.c), x.n, x.h, x.w, y.c, kh, kw, stride, padH, padW, mult,
                    act, y.h, y.w));
        }

        public void onnx(OnnxNodes e, Site s) {
            String t = e.node("Conv", List.of(s.xi(), e.init(s.prefix() + ".weight", Layouts.onnxDepthwise(weight)),
                            bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                    List.of(act != Act.NONE ? e.tmp() : s.out()), Attr.ints("kernel_shape", kh, kw),
                    Attr.ints("strides", stride, stride), Attr.i("group", s.x().c),
                    Attr.ints("pads", Layouts.pads(s.x(), s.y(), kh, kw, stride, padH, padW)));
            e.activation(act, t, s.out());
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return HostOps.dwconv(vals.get(0), in.get(0), y, weight.data(), data(bias), kh, kw, stride, padH, padW,
                    mult, act);
        }
    }

    /** LayerNorm over channels. */
    record LayerNorm(HostTensor gamma, HostTensor beta, float eps) implements OpSpec {
        public String kind() {
            return "layernorm";
        }

        public List<HostTensor> params() {
            return nonNull(gamma, beta);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            return List.of(io.edgecl.ops.LayerNorm.create(l.ctx(), l.buf(x), l.weight(gamma), l.weight(beta), l.buf(y),
                    x.rows(), x.c, eps));
        }

        public void onnx(OnnxNodes e, Site s) {
            String a = e.node("Transpose", List.of(s.xi()), List.of(e.tmp()), Attr.ints("perm", 0, 2, 3, 1));
            String b = e.node("LayerNormalization", List.of(a, e.init(s.prefix() + ".weight", gamma),
                    e.init(s.prefix() + ".bias", beta)), List.of(e.tmp()), Attr.i("axis", -1), Attr.f("epsilon", eps));
            e.node("Transpose", List.of(b), List.of(s.out()), Attr.ints("perm", 0, 3, 1, 2));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            Value x = in.get(0);
            return HostOps.layerNorm(vals.get(0), x.rows(), x.c, gamma.data(), beta.data(), eps);
        }
    }

    /**
     * Linear over channels: out = act((x [* gate]) · W + bias) [* gamma] [+ residual]; weight [K, N].
     * Inputs: x, then the gate [n, 1, 1, K] when {@code gated} (a squeeze-excite scale applied to
     * x as it is read), then the residual when {@code residual}.
     */
    record Gemm(HostTensor weight, HostTensor bias, Act act, HostTensor gamma, boolean residual, boolean gated)
            implements OpSpec {
        public Gemm(HostTensor weight, HostTensor bias, Act act, HostTensor gamma, boolean residual) {
            this(weight, bias, act, gamma, residual, false);
        }

        public String kind() {
            return "gemm";
        }

        public long macs(List<Value> in, Value out) {
            return (long) out.rows() * out.c * in.get(0).c;
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias, gamma);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            ClBuffer gate = gated ? l.buf(in.get(1)) : null;
            ClBuffer res = residual ? l.buf(in.get(gated ? 2 : 1)) : null;
            int m = x.rows(), n = y.c, k = x.c;
            io.edgecl.ops.Gemm.Config cfg = io.edgecl.ops.Gemm.config(l.ctx(), m, n, k);
            ClBuffer b = cfg.packed()
                    ? l.weight(weight, cfg.layout(), () -> io.edgecl.ops.Gemm.layoutB(weight.data(), k, n, cfg))
                    : l.weight(weight);
            return List.of(io.edgecl.ops.Gemm.create(l.ctx(), l.buf(x), b, l.weight(bias), l.weight(gamma), res,
                    l.buf(y), m, n, k, k, n, act, gate, x.h * x.w, cfg));
        }

        public void onnx(OnnxNodes e, Site s) {
            String a = s.xi();
            int next = 1;
            if (gated) a = e.node("Mul", List.of(a, s.name(next++)), List.of(e.tmp()));
            boolean after = gamma != null || residual;
            String t = e.node("Conv", List.of(a, e.init(s.prefix() + ".weight", Layouts.onnxLinearAsConv(weight)),
                    bias == null ? "" : e.init(s.prefix() + ".bias", bias)),
                    List.of(act != Act.NONE || after ? e.tmp() : s.out()), Attr.ints("kernel_shape", 1, 1));
            t = e.activation(act, t, after ? e.tmp() : s.out());
            if (gamma != null) {
                t = e.node("Mul", List.of(t, e.init(s.prefix() + ".gamma", Layouts.onnxChannels(gamma))),
                        List.of(residual ? e.tmp() : s.out()));
            }
            if (residual) e.node("Add", List.of(t, s.name(next)), List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            Value x = in.get(0);
            double[] gate = gated ? vals.get(1) : null;
            double[] res = residual ? vals.get(gated ? 2 : 1) : null;
            return HostOps.gemm(vals.get(0), gate, x.h * x.w, res, x.rows(), x.c, y.c, weight.data(), data(bias), act,
                    data(gamma));
        }
    }

    /** Element-wise activation. */
    record Activation(Act act) implements OpSpec {
        public String kind() {
            return "activation";
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            return List.of(Elementwise.activation(l.ctx(), l.buf(in.get(0)), l.buf(y), (int) y.numel(), act));
        }

        public void onnx(OnnxNodes e, Site s) {
            if (act == Act.NONE) e.node("Identity", List.of(s.xi()), List.of(s.out()));
            else e.activation(act, s.xi(), s.out());
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            double[] a = vals.get(0), o = new double[a.length];
            for (int i = 0; i < o.length; i++) o[i] = act.apply(a[i]);
            return o;
        }
    }

    /** out = x * scale[c] (layer scale), plus the second input when present (residual). */
    record ScaleAdd(HostTensor scale) implements OpSpec {
        public String kind() {
            return "scale_add";
        }

        public List<HostTensor> params() {
            return List.of(scale);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            ClBuffer res = in.size() > 1 ? l.buf(in.get(1)) : null;
            return List.of(Elementwise.scaleAdd(l.ctx(), l.buf(x), l.weight(scale), res, l.buf(y), (int) x.numel(),
                    x.c));
        }

        public void onnx(OnnxNodes e, Site s) {
            boolean res = s.in().size() > 1;
            String t = e.node("Mul", List.of(s.xi(), e.init(s.prefix() + ".scale", Layouts.onnxChannels(scale))),
                    List.of(res ? e.tmp() : s.out()));
            if (res) e.node("Add", List.of(t, s.name(1)), List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            double[] a = vals.get(0), r = in.size() > 1 ? vals.get(1) : null, o = new double[a.length];
            float[] sc = scale.data();
            for (int i = 0; i < o.length; i++) o[i] = a[i] * sc[i % y.c] + (r == null ? 0 : r[i]);
            return o;
        }
    }

    /**
     * out = x + constant [H*W, C] broadcast over the batch (positional encoding).
     * {@code sourceMacsPerImage}: what computing the constant costs upstream per image (EdgeNeXt
     * projects its Fourier features every forward); counted so MAC figures compare with the papers.
     */
    record AddConst(HostTensor constant, long sourceMacsPerImage) implements OpSpec {
        public String kind() {
            return "add_const";
        }

        public long macs(List<Value> in, Value out) {
            return sourceMacsPerImage * out.n;
        }

        // params(): none; the constant is precomputed from weights and the input size

        public List<HostTensor> deviceTensors() {
            return List.of(constant);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            return List.of(Elementwise.addBroadcast(l.ctx(), l.buf(in.get(0)), l.weight(constant), l.buf(y),
                    (int) y.numel(), constant.numel()));
        }

        public void onnx(OnnxNodes e, Site s) {
            Value y = s.y();
            e.node("Add", List.of(s.xi(), e.init(s.prefix() + ".const", Layouts.onnxHwc(constant, y.h, y.w, y.c))),
                    List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return addPeriodic(vals.get(0), constant.data());
        }
    }

    /**
     * Res2Net-style cascade over channel chunks of width {@code width}: y_0 = conv_0(x_0),
     * y_i = conv_i(x_i + y_{i-1}), the last chunk passes through; weights [k, k, width] each.
     * Fused form ({@code packed} != null): one launch with weights packed [nconv, k, k, width],
     * biases [nconv, width], and an optional positional encoding {@code pos} [H*W, C] added to
     * the result ({@code posMacsPerImage} as in {@link AddConst}).
     */
    record SplitCascade(int width, List<HostTensor> weights, List<HostTensor> biases, int k, HostTensor packed,
                        HostTensor packedBias, HostTensor pos, long posMacsPerImage) implements OpSpec {
        public SplitCascade(int width, List<HostTensor> weights, List<HostTensor> biases, int k) {
            this(width, weights, biases, k, null, null, null, 0);
        }

        public String kind() {
            return "split_cascade";
        }

        public long macs(List<Value> in, Value out) {
            return (long) out.rows() * width * weights.size() * k * k + posMacsPerImage * out.n;
        }

        public List<HostTensor> params() {
            ArrayList<HostTensor> p = new ArrayList<>(weights);
            for (HostTensor b : biases) if (b != null) p.add(b);
            return p;
        }

        public List<HostTensor> deviceTensors() {
            return packed == null ? params() : nonNull(packed, packedBias, pos);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            if (packed != null && io.edgecl.ops.SplitCascade.packed(l.ctx())) {
                return List.of(io.edgecl.ops.SplitCascade.create(l.ctx(), l.buf(x), l.weight(packed),
                        l.weight(packedBias), l.weight(pos), l.buf(y), x.n, x.h, x.w, x.c, width, weights.size(), k));
            }
            List<Launch> out = new ArrayList<>();
            int convs = weights.size();
            for (int i = 0; i < convs; i++) {
                Slice src = new Slice(l.buf(x), x.c, i * width);
                Slice add = i == 0 ? null : new Slice(l.buf(y), y.c, (i - 1) * width);
                out.add(DepthwiseConv.create(l.ctx(), src, add, l.weight(weights.get(i)), l.weight(biases.get(i)),
                        new Slice(l.buf(y), y.c, i * width), x.n, x.h, x.w, width, k, k, 1, k / 2, k / 2, 1,
                        Act.NONE));
            }
            int rest = x.c - convs * width;
            if (rest > 0) {
                out.add(Elementwise.channelCopy(l.ctx(), l.buf(x), l.buf(y), rest, x.rows(), x.c, convs * width, y.c,
                        convs * width));
            }
            // the packed form's positional encoding, when this device runs the packed form as chunks
            if (packed != null && pos != null) {
                out.add(Elementwise.addBroadcast(l.ctx(), l.buf(y), l.weight(pos), l.buf(y), (int) y.numel(),
                        pos.numel()));
            }
            return out;
        }

        public void onnx(OnnxNodes e, Site s) {
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
                prev = e.node("Conv", List.of(src, e.init(s.prefix() + "." + i + ".weight",
                                Layouts.onnxDepthwise(weights.get(i))), b == null ? "" : e.init(s.prefix() + "." + i + ".bias", b)),
                        List.of(e.tmp()), Attr.ints("kernel_shape", k, k), Attr.i("group", width),
                        Attr.ints("pads", k / 2, k / 2, k / 2, k / 2));
                cat.add(prev);
            }
            if (rest > 0) cat.add(parts.get(convs));
            if (pos == null) {
                e.node("Concat", cat, List.of(s.out()), Attr.i("axis", 1));
            } else {
                String c = e.node("Concat", cat, List.of(e.tmp()), Attr.i("axis", 1));
                new AddConst(pos, posMacsPerImage).onnx(e, s.reading(c, s.y()));
            }
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            List<float[]> w = new ArrayList<>(), b = new ArrayList<>();
            for (HostTensor t : weights) w.add(t.data());
            for (HostTensor t : biases) b.add(data(t));
            double[] o = HostOps.cascade(vals.get(0), in.get(0), width, w, b, k);
            return pos == null ? o : addPeriodic(o, pos.data());
        }
    }

    /** Depthwise conv and the LayerNorm over channels that follows it, in one launch. */
    record DwConvLayerNorm(DwConv dw, LayerNorm ln) implements OpSpec {
        public String kind() {
            return "dwconv_layernorm";
        }

        public long macs(List<Value> in, Value out) {
            return dw.macs(in, out);
        }

        public List<HostTensor> params() {
            ArrayList<HostTensor> p = new ArrayList<>(dw.params());
            p.addAll(ln.params());
            return p;
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            return List.of(DepthwiseConv.createWithLayerNorm(l.ctx(), l.buf(x), l.weight(dw.weight()),
                    l.weight(dw.bias()), l.weight(ln.gamma()), l.weight(ln.beta()), ln.eps(), l.buf(y), x.n, x.h, x.w,
                    y.c, dw.kh(), dw.kw(), dw.stride(), dw.padH(), dw.padW(), dw.mult(), y.h, y.w));
        }

        public void onnx(OnnxNodes e, Site s) {
            String mid = e.tmp();
            dw.onnx(e, new Site(s.prefix() + ".dw", s.in(), s.names(), s.y(), mid));
            ln.onnx(e, new Site(s.prefix() + ".norm", List.of(s.y()), List.of(mid), s.y(), s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return ln.reference(List.of(y), List.of(dw.reference(in, vals, y)), y);
        }
    }

    /** Cross-covariance attention from the qkv projection [.., 3C] to [.., C]. */
    record ChannelAttention(HostTensor temperature, int heads, boolean oneKernel) implements OpSpec {
        public String kind() {
            return "channel_attention";
        }

        public long macs(List<Value> in, Value out) {
            long d = out.c / heads;
            return 2L * out.n * heads * d * d * out.h * out.w;
        }

        public List<HostTensor> params() {
            return List.of(temperature);
        }

        public long scratchBytes(List<Value> in, Value y) {
            return 4L * io.edgecl.ops.ChannelAttention.scratchFloats(y.n, y.c, heads);
        }

        public long transientScratchBytes(io.edgecl.cl.ClContext ctx, List<Value> in, Value y) {
            if (!oneKernel || !io.edgecl.ops.ChannelAttention.form(ctx, y.c, heads).equals("gemm")) return 0;
            return io.edgecl.ops.ChannelAttention.gemmScratchBytes(ctx, y.n, y.h * y.w, y.c, heads)[0];
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            ClBuffer x = l.buf(in.get(0));
            if (oneKernel && io.edgecl.ops.ChannelAttention.form(l.ctx(), y.c, heads).equals("gemm")) {
                long[] b = io.edgecl.ops.ChannelAttention.gemmScratchBytes(l.ctx(), y.n, y.h * y.w, y.c, heads);
                return io.edgecl.ops.ChannelAttention.createGemm(l.ctx(), x, l.weight(temperature),
                        l.transientScratch(b[0], "xca-parts"), l.scratch(b[1], "xca-packed"), l.buf(y), y.n, y.h * y.w,
                        y.c, heads);
            }
            ClBuffer s = l.scratch(scratchBytes(in, y), "attn-scratch");
            if (oneKernel) {
                return List.of(io.edgecl.ops.ChannelAttention.createFused(l.ctx(), x, l.weight(temperature), s,
                        l.buf(y), y.n, y.h * y.w, y.c, heads));
            }
            return io.edgecl.ops.ChannelAttention.create(l.ctx(), x, l.weight(temperature), s, l.buf(y), y.n,
                    y.h * y.w, y.c, heads);
        }

        /** Per head: L2-normalised q and k along tokens, (C/h)×(C/h) attention × temperature. */
        public void onnx(OnnxNodes e, Site s) {
            Value y = s.y();
            int n = y.n, c = y.c, d = c / heads, t = y.h * y.w;
            String r = e.node("Reshape", List.of(s.xi(), e.ints(n, 3, heads, d, t)), List.of(e.tmp()));
            List<String> qkv = List.of(e.tmp(), e.tmp(), e.tmp());
            e.node("Split", List.of(r), qkv, Attr.i("axis", 1));
            String q = squeeze1(e, qkv.get(0)), k = squeeze1(e, qkv.get(1)), v = squeeze1(e, qkv.get(2));
            q = e.node("LpNormalization", List.of(q), List.of(e.tmp()), Attr.i("axis", -1), Attr.i("p", 2));
            k = e.node("LpNormalization", List.of(k), List.of(e.tmp()), Attr.i("axis", -1), Attr.i("p", 2));
            String kt = e.node("Transpose", List.of(k), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
            String a = e.node("MatMul", List.of(q, kt), List.of(e.tmp()));
            HostTensor temp = new HostTensor(new int[] {1, heads, 1, 1}, temperature.data());
            a = e.node("Mul", List.of(a, e.init(s.prefix() + ".temperature", temp)), List.of(e.tmp()));
            a = e.node("Softmax", List.of(a), List.of(e.tmp()), Attr.i("axis", -1));
            String o = e.node("MatMul", List.of(a, v), List.of(e.tmp()));
            e.node("Reshape", List.of(o, e.ints(n, c, y.h, y.w)), List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return HostOps.channelAttention(vals.get(0), y.n, y.h * y.w, y.c, heads, temperature.data());
        }
    }

    /** Global average pool to [n, 1, 1, c]. */
    record AvgPool() implements OpSpec {
        public String kind() {
            return "avgpool";
        }

        public long transientScratchBytes(List<Value> in, Value y) {
            Value x = in.get(0);
            return Elementwise.globalAvgPoolScratch(x.n, x.h * x.w, x.c);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            long bytes = transientScratchBytes(in, y);
            return Elementwise.globalAvgPool(l.ctx(), l.buf(x), l.buf(y),
                    bytes > 0 ? l.transientScratch(bytes, "pool-parts") : null, x.n, x.h * x.w, x.c);
        }

        public void onnx(OnnxNodes e, Site s) {
            e.node("GlobalAveragePool", List.of(s.xi()), List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            Value x = in.get(0);
            return HostOps.avgPool(vals.get(0), x.n, x.h * x.w, x.c);
        }
    }

    /** out = act(in0 + in1), same shapes (residual connections). */
    record Add(Act act) implements OpSpec {
        public String kind() {
            return "add";
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            return List.of(Elementwise.add(l.ctx(), l.buf(in.get(0)), l.buf(in.get(1)), l.buf(y), (int) y.numel(),
                    act));
        }

        public void onnx(OnnxNodes e, Site s) {
            String t = e.node("Add", List.of(s.xi(), s.name(1)), List.of(act != Act.NONE ? e.tmp() : s.out()));
            e.activation(act, t, s.out());
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            double[] a = vals.get(0), b = vals.get(1), o = new double[a.length];
            for (int i = 0; i < o.length; i++) o[i] = act.apply(a[i] + b[i]);
            return o;
        }
    }

    /** out = act(x * scale[c] + shift[c]): an eval-mode BatchNorm with no conv to fold into. */
    record Affine(HostTensor scale, HostTensor shift, Act act) implements OpSpec {
        public String kind() {
            return "affine";
        }

        public List<HostTensor> params() {
            return List.of(scale, shift);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            return List.of(Elementwise.affine(l.ctx(), l.buf(in.get(0)), l.weight(scale), l.weight(shift), l.buf(y),
                    (int) y.numel(), y.c, act));
        }

        public void onnx(OnnxNodes e, Site s) {
            String t = e.node("Mul", List.of(s.xi(), e.init(s.prefix() + ".scale", Layouts.onnxChannels(scale))),
                    List.of(e.tmp()));
            t = e.node("Add", List.of(t, e.init(s.prefix() + ".shift", Layouts.onnxChannels(shift))),
                    List.of(act != Act.NONE ? e.tmp() : s.out()));
            e.activation(act, t, s.out());
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            double[] a = vals.get(0), o = new double[a.length];
            float[] sc = scale.data(), sh = shift.data();
            for (int i = 0; i < o.length; i++) o[i] = act.apply(a[i] * sc[i % y.c] + sh[i % y.c]);
            return o;
        }
    }

    /** out = x * s[n, c]: inputs x [n, h, w, c] and the gate s [n, 1, 1, c] (already activated). */
    record ChannelGate() implements OpSpec {
        public String kind() {
            return "channel_gate";
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            return List.of(Elementwise.channelGate(l.ctx(), l.buf(in.get(0)), l.buf(in.get(1)), l.buf(y),
                    (int) y.numel(), y.h * y.w, y.c));
        }

        public void onnx(OnnxNodes e, Site s) {
            e.node("Mul", List.of(s.xi(), s.name(1)), List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            double[] a = vals.get(0), g = vals.get(1), o = new double[a.length];
            int hwc = y.h * y.w * y.c;
            for (int i = 0; i < o.length; i++) o[i] = a[i] * g[(i / hwc) * y.c + i % y.c];
            return o;
        }
    }

    /** Concatenation of the inputs along channels, in input order (same n, h, w). */
    record Concat() implements OpSpec {
        public String kind() {
            return "concat";
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            List<Launch> out = new ArrayList<>();
            int off = 0;
            for (Value v : in) {
                out.add(Elementwise.channelCopy(l.ctx(), l.buf(v), l.buf(y), v.c, v.rows(), v.c, 0, y.c, off));
                off += v.c;
            }
            return out;
        }

        public void onnx(OnnxNodes e, Site s) {
            e.node("Concat", s.names(), List.of(s.out()), Attr.i("axis", 1));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            double[] o = new double[(int) y.numel()];
            int off = 0;
            for (int i = 0; i < in.size(); i++) {
                int c = in.get(i).c;
                for (int r = 0; r < y.rows(); r++) System.arraycopy(vals.get(i), r * c, o, r * y.c + off, c);
                off += c;
            }
            return o;
        }
    }

    /**
     * Multi-head self-attention from a qkv projection [n, h, w, 3C] (channel s*C + head*D + i) to
     * [n, h, w, C]: softmax(q·kᵀ × scale) · v per head. The tokens of an image split into
     * patchH × patchW groups by position (y mod patchH, x mod patchW) and attend only within their
     * group: MobileViT's unfolded patches without moving data. patchH = patchW = 1 is plain
     * attention over all tokens.
     */
    record SelfAttention(int heads, float scale, int patchH, int patchW) implements OpSpec {
        public String kind() {
            return "self_attention";
        }

        public long macs(List<Value> in, Value out) {
            long tokens = (long) out.h * out.w;
            long perGroup = tokens / ((long) patchH * patchW);
            return 2L * out.n * tokens * perGroup * out.c;
        }

        // scratch: none in the direct kernel GPUs run; CPU runtimes' variants pack keys and values
        // into the plan's transient scratch
        public long transientScratchBytes(io.edgecl.cl.ClContext ctx, List<Value> in, Value y) {
            return Attention.scratchBytes(Attention.variant(ctx, y.c / heads), y.n, y.h, y.w, y.c, heads, patchH, patchW);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Attention.Variant v = Attention.variant(l.ctx(), y.c / heads);
            long bytes = Attention.scratchBytes(v, y.n, y.h, y.w, y.c, heads, patchH, patchW);
            ClBuffer kv = bytes > 0 ? l.transientScratch(bytes, "attn-kv") : null;
            return Attention.selfAttention(l.ctx(), l.buf(in.get(0)), l.buf(y), kv, y.n, y.h, y.w, y.c, heads, scale,
                    patchH, patchW, v);
        }

        /** Softmax attention over tokens, grouped by position inside ph × pw patches. */
        public void onnx(OnnxNodes e, Site s) {
            Value y = s.y();
            int n = y.n, c = y.c, d = c / heads, ph = patchH, pw = patchW;
            int hg = y.h / ph, wg = y.w / pw, groups = heads * ph * pw, tokens = hg * wg;
            String r = e.node("Reshape", List.of(s.xi(), e.ints(n, 3, heads, d, hg, ph, wg, pw)), List.of(e.tmp()));
            // [n, 3, h, d, hg, ph, wg, pw] → [n, 3, h, ph, pw, d, hg, wg] → [n, 3, groups, d, tokens]
            r = e.node("Transpose", List.of(r), List.of(e.tmp()), Attr.ints("perm", 0, 1, 2, 5, 7, 3, 4, 6));
            r = e.node("Reshape", List.of(r, e.ints(n, 3, groups, d, tokens)), List.of(e.tmp()));
            List<String> qkv = List.of(e.tmp(), e.tmp(), e.tmp());
            e.node("Split", List.of(r), qkv, Attr.i("axis", 1));
            String q = squeeze1(e, qkv.get(0)), k = squeeze1(e, qkv.get(1)), v = squeeze1(e, qkv.get(2));
            String qt = e.node("Transpose", List.of(q), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
            String a = e.node("MatMul", List.of(qt, k), List.of(e.tmp()));
            a = e.node("Mul", List.of(a, e.scalar(scale)), List.of(e.tmp()));
            a = e.node("Softmax", List.of(a), List.of(e.tmp()), Attr.i("axis", -1));
            String vt = e.node("Transpose", List.of(v), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
            String o = e.node("MatMul", List.of(a, vt), List.of(e.tmp())); // [n, groups, tokens, d]
            o = e.node("Transpose", List.of(o), List.of(e.tmp()), Attr.ints("perm", 0, 1, 3, 2));
            o = e.node("Reshape", List.of(o, e.ints(n, heads, ph, pw, d, hg, wg)), List.of(e.tmp()));
            o = e.node("Transpose", List.of(o), List.of(e.tmp()), Attr.ints("perm", 0, 1, 4, 5, 2, 6, 3));
            e.node("Reshape", List.of(o, e.ints(n, c, y.h, y.w)), List.of(s.out()));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return HostOps.selfAttention(vals.get(0), y, heads, scale, patchH, patchW);
        }
    }

    /** k×k pooling with stride and symmetric zero padding; average (count_include_pad as given) or max. */
    record Pool2d(int k, int stride, int pad, boolean max, boolean countIncludePad) implements OpSpec {
        public String kind() {
            return "pool2d";
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            return List.of(Elementwise.pool2d(l.ctx(), l.buf(x), l.buf(y), x.n, x.h, x.w, x.c, y.h, y.w, k, stride,
                    pad, max, countIncludePad));
        }

        public void onnx(OnnxNodes e, Site s) {
            int[] pads = {pad, pad, pad, pad};
            if (max) {
                e.node("MaxPool", List.of(s.xi()), List.of(s.out()), Attr.ints("kernel_shape", k, k),
                        Attr.ints("strides", stride, stride), Attr.ints("pads", pads));
            } else {
                e.node("AveragePool", List.of(s.xi()), List.of(s.out()), Attr.ints("kernel_shape", k, k),
                        Attr.ints("strides", stride, stride), Attr.ints("pads", pads),
                        Attr.i("count_include_pad", countIncludePad ? 1 : 0));
            }
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return HostOps.pool2d(vals.get(0), in.get(0), y, k, stride, pad, max, countIncludePad);
        }
    }

    /**
     * Depthwise transposed conv with kernel = stride = s (each input pixel becomes an s×s patch):
     * out[n, y, x, c] = in[n, y/s, x/s, c] * w[y mod s, x mod s, c] + bias[c]; weight [s, s, C].
     */
    record DwConvTranspose(HostTensor weight, HostTensor bias, int stride) implements OpSpec {
        public String kind() {
            return "dwconv_transpose";
        }

        public long macs(List<Value> in, Value out) {
            return out.numel();
        }

        public List<HostTensor> params() {
            return nonNull(weight, bias);
        }

        public List<Launch> lower(Lowering l, List<Value> in, Value y) {
            Value x = in.get(0);
            return List.of(DepthwiseConv.transpose(l.ctx(), l.buf(x), l.weight(weight), l.weight(bias), l.buf(y), x.n,
                    x.h, x.w, x.c, stride));
        }

        public void onnx(OnnxNodes e, Site s) {
            int st = stride;
            e.node("ConvTranspose", List.of(s.xi(), e.init(s.prefix() + ".weight", Layouts.onnxDepthwise(weight)),
                            bias == null ? "" : e.init(s.prefix() + ".bias", bias)), List.of(s.out()),
                    Attr.ints("kernel_shape", st, st), Attr.ints("strides", st, st), Attr.i("group", s.x().c));
        }

        public double[] reference(List<Value> in, List<double[]> vals, Value y) {
            return HostOps.dwconvTranspose(vals.get(0), in.get(0), y, weight.data(), data(bias), stride);
        }
    }

    private static List<HostTensor> nonNull(HostTensor... ts) {
        ArrayList<HostTensor> out = new ArrayList<>();
        for (HostTensor t : ts) if (t != null) out.add(t);
        return out;
    }

    private static float[] data(HostTensor t) {
        return t == null ? null : t.data();
    }

    private static double[] addPeriodic(double[] a, float[] c) {
        double[] o = new double[a.length];
        for (int i = 0; i < o.length; i++) o[i] = a[i] + c[i % c.length];
        return o;
    }

    private static String squeeze1(OnnxNodes e, String x) {
        return e.node("Squeeze", List.of(x, e.ints(1)), List.of(e.tmp()));
    }
}
