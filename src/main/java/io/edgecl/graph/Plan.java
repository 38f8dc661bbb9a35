package io.edgecl.graph;

import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClEvent;
import io.edgecl.cl.Precision;
import io.edgecl.io.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.edgecl.io.HostTensor;
import io.edgecl.ops.Act;
import io.edgecl.ops.Attention;
import io.edgecl.ops.ChannelAttention;
import io.edgecl.ops.Conv2d;
import io.edgecl.ops.DepthwiseConv;
import io.edgecl.ops.DepthwiseConv.Slice;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.Gemm;
import io.edgecl.ops.LayerNorm;
import io.edgecl.ops.Launch;
import io.edgecl.ops.SplitCascade;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An executable forward pass: weights on the device, activations in the planner's shared
 * buffers, and every launch with its arguments set once. {@link #run} only writes the input and
 * enqueues; nothing is rebuilt or re-bound per call.
 */
public final class Plan implements AutoCloseable {
    private final ClContext ctx;
    private final Graph graph;
    private final Map<HostTensor, ClBuffer> weights = new IdentityHashMap<>();
    /** Weights re-laid out for a kernel (GEMM panels), by tensor and layout. */
    private final Map<HostTensor, Map<String, ClBuffer>> laidOut = new IdentityHashMap<>();
    private final List<ClBuffer> slots = new ArrayList<>();
    private final List<ClBuffer> scratch = new ArrayList<>();
    private final List<Launch> launches = new ArrayList<>();
    private final Map<Value, ClBuffer> bufferOf = new IdentityHashMap<>();
    private final long activationBytes;
    private Precision precision;
    private ByteBuffer inputStaging;
    private long weightBytes;

    public Plan(ClContext ctx, Graph graph) {
        this.ctx = ctx;
        this.graph = graph;
        try {
            this.precision = ctx.precision();
            MemoryPlanner.Assignment a = MemoryPlanner.plan(graph, precision.elementBytes());
            for (int s = 0; s < a.slotBytes().size(); s++) slots.add(ctx.alloc(a.slotBytes().get(s), "act" + s));
            a.slotOf().forEach((v, s) -> bufferOf.put(v, slots.get(s)));
            long scratchBytes = 0;
            for (Node n : graph.nodes()) {
                for (Launch l : lower(n)) launches.add(l.at(n.block.name, n.name));
            }
            for (ClBuffer b : scratch) scratchBytes += b.bytes();
            // Activations start as zeros written by the host: deterministic contents before the
            // first forward, and Oclgrind's uninitialised-value checker can follow them across launches.
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (ClBuffer b : slots) zero(b, zeros);
            for (ClBuffer b : scratch) zero(b, zeros);
            this.activationBytes = a.totalBytes() + scratchBytes;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void zero(ClBuffer b, ByteBuffer z) {
        for (long off = 0; off < b.bytes(); off += z.capacity()) {
            z.clear().limit((int) Math.min(z.capacity(), b.bytes() - off));
            ctx.writeBytes(b, off, z);
        }
    }

    public Graph graph() {
        return graph;
    }

    public List<Launch> launches() {
        return launches;
    }

    /** Device bytes of activations (shared slots plus per-op scratch). */
    public long activationBytes() {
        return activationBytes;
    }

    public long weightBytes() {
        return weightBytes;
    }

    /** Writes an NCHW input, runs every launch, and waits. */
    public void run(HostTensor nchw) {
        writeInput(nchw);
        for (Launch l : launches) l.run();
        ctx.finish();
    }

    /** Like {@link #run} but returns one profiling event per launch (the caller closes them). */
    public List<ClEvent> runTimed(HostTensor nchw) {
        writeInput(nchw);
        List<ClEvent> events = new ArrayList<>(launches.size());
        for (Launch l : launches) events.add(l.runTimed());
        ctx.finish();
        return events;
    }

    public void writeInput(HostTensor nchw) {
        Value in = graph.input();
        int[] s = nchw.shape();
        if (s.length != 4 || s[0] != in.n || s[1] != in.c || s[2] != in.h || s[3] != in.w) {
            throw new io.edgecl.EdgeClException("input shape " + nchw.shapeString() + " does not match the plan's [" + in.n
                    + ", " + in.c + ", " + in.h + ", " + in.w + "]");
        }
        // transpose straight into a staging buffer kept for the plan: no per-forward allocation
        if (inputStaging == null) {
            inputStaging = ByteBuffer.allocateDirect((int) (in.numel() * precision.elementBytes()))
                    .order(ByteOrder.nativeOrder());
        }
        float[] x = nchw.data();
        int hw = in.h * in.w;
        inputStaging.clear();
        for (int b = 0; b < in.n; b++) {
            int base = b * in.c * hw;
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < in.c; ch++) {
                    float v = x[base + ch * hw + p];
                    if (precision == Precision.FP32) inputStaging.putFloat(v);
                    else inputStaging.putShort(HalfFloats.floatToHalf(v));
                }
            }
        }
        inputStaging.flip();
        ctx.writeBytes(bufferOf.get(in), inputStaging);
    }

    /** Reads a graph output as NCHW ([n, c] for pooled vectors and logits). */
    public HostTensor read(String output) {
        Value v = graph.outputs().get(output);
        if (v == null) throw new IllegalArgumentException("no output " + output);
        float[] nhwc = readValues(bufferOf.get(v), (int) v.numel());
        if (v.h == 1 && v.w == 1) return new HostTensor(new int[] {v.n, v.c}, nhwc);
        return new HostTensor(new int[] {v.n, v.c, v.h, v.w}, Layouts.nhwcToNchw(nhwc, v.n, v.h, v.w, v.c));
    }

    public Map<String, HostTensor> readAll() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : graph.outputs().keySet()) out.put(k, read(k));
        return out;
    }

    private ClBuffer weight(HostTensor t) {
        if (t == null) return null;
        ClBuffer b = weights.get(t);
        if (b == null) {
            b = ctx.alloc(Math.max(4L, (long) t.numel() * precision.elementBytes()), "weight");
            write(b, t.data());
            weights.put(t, b);
            weightBytes += b.bytes();
        }
        return b;
    }

    /** {@code t} in a kernel-specific layout named {@code layout}, made by {@code relayout} once. */
    private ClBuffer weight(HostTensor t, String layout, java.util.function.Supplier<float[]> relayout) {
        Map<String, ClBuffer> byLayout = laidOut.computeIfAbsent(t, x -> new LinkedHashMap<>());
        ClBuffer b = byLayout.get(layout);
        if (b == null) {
            float[] data = relayout.get();
            b = ctx.alloc(Math.max(4L, (long) data.length * precision.elementBytes()), "weight");
            write(b, data);
            byLayout.put(layout, b);
            weightBytes += b.bytes();
        }
        return b;
    }

    /** The plan's storage precision. */
    public Precision precision() {
        return precision;
    }

    private void write(ClBuffer b, float[] data) {
        if (precision == Precision.FP32) {
            ctx.write(b, data);
            return;
        }
        ByteBuffer bb = ByteBuffer.allocateDirect(2 * data.length).order(ByteOrder.nativeOrder());
        for (float f : data) bb.putShort(HalfFloats.floatToHalf(f));
        bb.flip();
        ctx.writeBytes(b, bb);
    }

    private float[] readValues(ClBuffer b, int count) {
        if (precision == Precision.FP32) return ctx.read(b, count);
        ByteBuffer bb = ByteBuffer.allocateDirect(2 * count).order(ByteOrder.nativeOrder());
        ctx.readBytes(b, bb);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) out[i] = HalfFloats.halfToFloat(bb.getShort(2 * i));
        return out;
    }

    private ClBuffer buf(Value v) {
        return bufferOf.get(v);
    }

    private List<Launch> lower(Node node) {
        Value x = node.inputs.get(0);
        Value y = node.output;
        OpSpec op = node.op;
        if (op instanceof OpSpec.Conv c) {
            Gemm.Config panel = Conv2d.panel(ctx, y.c);
            int k = c.kh() * c.kw() * x.c;
            ClBuffer w = panel != null
                    ? weight(c.weight(), panel.toString(), () -> Gemm.layoutB(c.weight().data(), k, y.c, panel))
                    : weight(c.weight());
            return List.of(Conv2d.create(ctx, buf(x), w, weight(c.bias()), buf(y), x.n, x.h, x.w, x.c, y.c, c.kh(),
                    c.kw(), c.stride(), c.padH(), c.padW(), c.act(), y.h, y.w, panel));
        }
        if (op instanceof OpSpec.DwConv c) {
            return List.of(DepthwiseConv.create(ctx, Slice.whole(buf(x), x.c), null, weight(c.weight()),
                    weight(c.bias()), Slice.whole(buf(y), y.c), x.n, x.h, x.w, y.c, c.kh(), c.kw(), c.stride(),
                    c.padH(), c.padW(), c.mult(), c.act(), y.h, y.w));
        }
        if (op instanceof OpSpec.LayerNorm ln) {
            return List.of(LayerNorm.create(ctx, buf(x), weight(ln.gamma()), weight(ln.beta()), buf(y), x.rows(), x.c,
                    ln.eps()));
        }
        if (op instanceof OpSpec.Gemm g) {
            ClBuffer gate = g.gated() ? buf(node.inputs.get(1)) : null;
            ClBuffer res = g.residual() ? buf(node.inputs.get(g.gated() ? 2 : 1)) : null;
            int m = x.rows(), n = y.c, k = x.c;
            Gemm.Config cfg = Gemm.config(ctx, m, n, k);
            ClBuffer b = cfg.packed()
                    ? weight(g.weight(), cfg.toString(), () -> Gemm.layoutB(g.weight().data(), k, n, cfg))
                    : weight(g.weight());
            return List.of(Gemm.create(ctx, buf(x), b, weight(g.bias()), weight(g.gamma()), res, buf(y), m, n, k, k, n,
                    g.act(), gate, x.h * x.w, cfg));
        }
        if (op instanceof OpSpec.Add a) {
            return List.of(Elementwise.add(ctx, buf(x), buf(node.inputs.get(1)), buf(y), (int) y.numel(), a.act()));
        }
        if (op instanceof OpSpec.Affine a) {
            return List.of(Elementwise.affine(ctx, buf(x), weight(a.scale()), weight(a.shift()), buf(y),
                    (int) y.numel(), y.c, a.act()));
        }
        if (op instanceof OpSpec.ChannelGate) {
            return List.of(Elementwise.channelGate(ctx, buf(x), buf(node.inputs.get(1)), buf(y), (int) y.numel(),
                    y.h * y.w, y.c));
        }
        if (op instanceof OpSpec.Concat) {
            List<Launch> out = new ArrayList<>();
            int off = 0;
            for (Value v : node.inputs) {
                out.add(Elementwise.channelCopy(ctx, buf(v), buf(y), v.c, v.rows(), v.c, 0, y.c, off));
                off += v.c;
            }
            return out;
        }
        if (op instanceof OpSpec.SelfAttention a) {
            return List.of(Attention.selfAttention(ctx, buf(x), buf(y), y.n, y.h, y.w, y.c, a.heads(), a.scale(),
                    a.patchH(), a.patchW()));
        }
        if (op instanceof OpSpec.Pool2d p) {
            return List.of(Elementwise.pool2d(ctx, buf(x), buf(y), x.n, x.h, x.w, x.c, y.h, y.w, p.k(), p.stride(),
                    p.pad(), p.max(), p.countIncludePad()));
        }
        if (op instanceof OpSpec.DwConvTranspose t) {
            return List.of(DepthwiseConv.transpose(ctx, buf(x), weight(t.weight()), weight(t.bias()), buf(y), x.n, x.h,
                    x.w, x.c, t.stride()));
        }
        if (op instanceof OpSpec.Activation a) {
            return List.of(Elementwise.activation(ctx, buf(x), buf(y), (int) x.numel(), a.act()));
        }
        if (op instanceof OpSpec.ScaleAdd s) {
            ClBuffer res = node.inputs.size() > 1 ? buf(node.inputs.get(1)) : null;
            return List.of(Elementwise.scaleAdd(ctx, buf(x), weight(s.scale()), res, buf(y), (int) x.numel(), x.c));
        }
        if (op instanceof OpSpec.AddConst a) {
            return List.of(Elementwise.addBroadcast(ctx, buf(x), weight(a.constant()), buf(y), (int) x.numel(),
                    a.constant().numel()));
        }
        if (op instanceof OpSpec.DwConvLayerNorm f) {
            OpSpec.DwConv c = f.dw();
            return List.of(DepthwiseConv.createWithLayerNorm(ctx, buf(x), weight(c.weight()), weight(c.bias()),
                    weight(f.ln().gamma()), weight(f.ln().beta()), f.ln().eps(), buf(y), x.n, x.h, x.w, y.c, c.kh(),
                    c.kw(), c.stride(), c.padH(), c.padW(), c.mult(), y.h, y.w));
        }
        if (op instanceof OpSpec.SplitCascade sc && sc.packed() != null) {
            return List.of(SplitCascade.create(ctx, buf(x), weight(sc.packed()), weight(sc.packedBias()),
                    weight(sc.pos()), buf(y), x.n, x.h, x.w, x.c, sc.width(), sc.weights().size(), sc.k()));
        }
        if (op instanceof OpSpec.SplitCascade sc) {
            List<Launch> out = new ArrayList<>();
            int w = sc.width();
            int convs = sc.weights().size();
            for (int i = 0; i < convs; i++) {
                Slice in = new Slice(buf(x), x.c, i * w);
                Slice add = i == 0 ? null : new Slice(buf(y), y.c, (i - 1) * w);
                out.add(DepthwiseConv.create(ctx, in, add, weight(sc.weights().get(i)), weight(sc.biases().get(i)),
                        new Slice(buf(y), y.c, i * w), x.n, x.h, x.w, w, sc.k(), sc.k(), 1, sc.k() / 2, sc.k() / 2,
                        1, Act.NONE));
            }
            int rest = x.c - convs * w;
            if (rest > 0) {
                out.add(Elementwise.channelCopy(ctx, buf(x), buf(y), rest, x.rows(), x.c, convs * w, y.c, convs * w));
            }
            return out;
        }
        if (op instanceof OpSpec.ChannelAttention ca) {
            ClBuffer s = ctx.alloc(4L * ChannelAttention.scratchFloats(y.n, y.c, ca.heads()), "attn-scratch");
            scratch.add(s);
            if (ca.oneKernel()) {
                return List.of(ChannelAttention.createFused(ctx, buf(x), weight(ca.temperature()), s, buf(y), y.n,
                        y.h * y.w, y.c, ca.heads()));
            }
            return ChannelAttention.create(ctx, buf(x), weight(ca.temperature()), s, buf(y), y.n, y.h * y.w, y.c,
                    ca.heads());
        }
        if (op instanceof OpSpec.AvgPool) {
            return List.of(Elementwise.globalAvgPool(ctx, buf(x), buf(y), x.n, x.h * x.w, x.c));
        }
        throw new IllegalStateException("no lowering for " + op.kind());
    }

    @Override
    public void close() {
        for (Launch l : launches) l.close();
        launches.clear();
        for (ClBuffer b : weights.values()) b.close();
        weights.clear();
        for (Map<String, ClBuffer> m : laidOut.values()) for (ClBuffer b : m.values()) b.close();
        laidOut.clear();
        for (ClBuffer b : slots) b.close();
        slots.clear();
        for (ClBuffer b : scratch) b.close();
        scratch.clear();
    }
}
