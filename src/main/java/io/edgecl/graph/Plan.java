package io.edgecl.graph;

import io.edgecl.DeviceFaultException;
import io.edgecl.cl.ClBuffer;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClEvent;
import io.edgecl.cl.ClException;
import io.edgecl.ops.Elementwise;
import io.edgecl.ops.KernelChoices;
import io.edgecl.ops.Launch;
import io.edgecl.ops.OpChoices;
import io.edgecl.tensor.HalfFloats;
import io.edgecl.tensor.HostTensor;
import io.edgecl.tensor.Precision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An executable forward pass: weights on the device, activations in the planner's shared
 * buffers, and every launch with its arguments set once. {@link #run} only writes the input and
 * enqueues; nothing is rebuilt or re-bound per call.
 */
public final class Plan implements AutoCloseable {
    private final ClContext ctx;
    private final Graph graph;
    private final DeviceWeights weights;
    private final boolean ownsWeights;
    /** The weight buffers this plan reads (shared ones included), for its footprint. */
    private final Set<ClBuffer> used = Collections.newSetFromMap(new IdentityHashMap<>());

    private final List<ClBuffer> slots = new ArrayList<>();
    private final List<ClBuffer> scratch = new ArrayList<>();
    private ClBuffer transientScratch;
    private final List<Launch> launches = new ArrayList<>();
    private final Map<Value, ClBuffer> bufferOf = new IdentityHashMap<>();
    /** Graph outputs whose producer writes NCHW floats into their own buffers (see {@link MemoryPlanner#nchwOutputs}). */
    private final Set<Value> directOutputs = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Pool partial sums (fusion rule se-pool) and the value they sum, that the node being lowered
     * writes, and that the node lowered before it wrote: they live in the shared transient
     * scratch, so only the very next op may read them.
     */
    private Lowering.PoolParts partsWritten, partsBefore;

    private final long activationBytes;
    private Precision precision;
    private ByteBuffer inputStaging;
    private ClBuffer inputNchw;
    /** Whether an op reads the input as NHWC storage, so the plan's first launch lays it out. */
    private boolean inputLaidOut;

    /** A plan with weights of its own (closed with it), in the device's default kernels. */
    public Plan(ClContext ctx, Graph graph) {
        this(ctx, graph, KernelChoices.DEFAULTS);
    }

    /** A plan with weights of its own (closed with it), in the kernels {@code choices} select. */
    public Plan(ClContext ctx, Graph graph, KernelChoices choices) {
        this(graph, new DeviceWeights(ctx), true, choices);
    }

    /**
     * A plan reading {@code weights}, which the caller owns and may share with other plans of the
     * same model, in the kernels {@code choices} select.
     */
    public Plan(Graph graph, DeviceWeights weights, KernelChoices choices) {
        this(graph, weights, false, choices);
    }

    private Plan(Graph graph, DeviceWeights weights, boolean ownsWeights, KernelChoices choices) {
        this.ctx = weights.context();
        this.graph = graph;
        this.weights = weights;
        this.ownsWeights = ownsWeights;
        try {
            this.precision = ctx.precision();
            MemoryPlanner.Assignment a = MemoryPlanner.plan(graph, precision.elementBytes());
            for (int s = 0; s < a.slotBytes().size(); s++)
                slots.add(ctx.alloc(a.slotBytes().get(s), "act" + s));
            a.slotOf().forEach((v, s) -> bufferOf.put(v, slots.get(s)));
            long scratchBytes = 0;
            // the ops' shared scratch: one region of the largest need, in the variants this device runs
            long shared = 0;
            for (Node n : graph.nodes()) {
                shared = Math.max(
                        shared,
                        n.op.transientScratchBytes(ctx, choices.at(precision, n.tuningShape()), n.inputs, n.output));
            }
            if (shared > 0) {
                transientScratch = ctx.alloc(shared, "transient-scratch");
                scratch.add(transientScratch);
            }
            // final maps their producer writes straight as NCHW floats, read as they are
            for (Value v : MemoryPlanner.nchwOutputs(graph)) {
                ClBuffer b = ctx.alloc(4L * v.numel(), "output-nchw");
                scratch.add(b);
                bufferOf.put(v, b);
                directOutputs.add(v);
            }
            // the input arrives as NCHW floats; an op that can reads them as they are, and for the
            // others the first launch lays them out as NHWC storage
            Value in = graph.input();
            inputNchw = ctx.alloc(4L * in.numel(), "input-nchw");
            scratch.add(inputNchw);
            for (Node n : graph.nodes()) {
                List<Launch> ls =
                        n.op.lower(new PlanLowering(this, choices.at(precision, n.tuningShape())), n.inputs, n.output);
                for (Launch l : ls) launches.add(l.at(n.block.name, n.name));
                partsBefore = partsWritten;
                partsWritten = null;
            }
            if (inputLaidOut) {
                launches.add(
                        0,
                        Elementwise.toNhwc(ctx, inputNchw, bufferOf.get(in), in.n, in.c, in.h * in.w)
                                .at("input", "input"));
            }
            for (ClBuffer b : scratch) scratchBytes += b.bytes();
            long held = ctx.liveBytes(), global = ctx.info().globalMemBytes();
            if (held > global) {
                throw new io.edgecl.EdgeClException("the model needs " + io.edgecl.Bytes.human(held)
                        + " of device memory at this input shape (weights and activations), but "
                        + ctx.info().name()
                        + " has " + io.edgecl.Bytes.human(global) + "; use a smaller batch or input, or fp16-storage");
            }
            // Activations start as zeros written by the host: deterministic contents before the
            // first forward, and Oclgrind's uninitialised-value checker can follow them across launches.
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (ClBuffer b : slots) fill(b, zeros);
            for (ClBuffer b : scratch) fill(b, zeros);
            this.activationBytes = a.totalBytes() + scratchBytes;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Writes {@code z}'s contents (whole elements, from its start) over all of {@code b}. */
    private void fill(ClBuffer b, ByteBuffer z) {
        for (long off = 0; off < b.bytes(); off += z.capacity()) {
            z.clear().limit((int) Math.min(z.capacity(), b.bytes() - off));
            ctx.writeBytes(b, off, z);
        }
    }

    /**
     * Fills every activation slot with NaN (in the plan's storage precision), so that an output a
     * kernel leaves unwritten shows as NaN in the results instead of as stale or zero values that
     * may happen to pass: for checks (selftest, tests), not for inference.
     */
    public void poisonActivations() {
        ByteBuffer nan = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
        if (precision == Precision.FP32) {
            while (nan.hasRemaining()) nan.putFloat(Float.NaN);
        } else {
            while (nan.hasRemaining()) nan.putShort((short) 0x7e00);
        }
        for (ClBuffer b : slots) fill(b, nan);
        // outputs written as NCHW floats hold floats in any precision
        if (precision != Precision.FP32 && !directOutputs.isEmpty()) {
            nan.clear();
            while (nan.hasRemaining()) nan.putFloat(Float.NaN);
        }
        for (Value v : directOutputs) fill(bufferOf.get(v), nan);
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

    /** Device bytes of the weights this plan reads (shared with the session's other plans). */
    public long weightBytes() {
        long b = 0;
        for (ClBuffer w : used) b += w.bytes();
        return b;
    }

    /**
     * Enqueues every launch; with guard bytes on, waits after each and checks them. A failed
     * OpenCL call is a {@link DeviceFaultException} naming the launch.
     */
    private void runLaunches() {
        for (int i = 0; i < launches.size(); i++) {
            Launch l = launches.get(i);
            try {
                l.run();
                if (ctx.guarded()) {
                    ctx.finish();
                    ctx.checkGuards(describe(i));
                }
            } catch (ClException e) {
                throw fault(describe(i), e);
            }
        }
    }

    /** Launch {@code i} for a message: its place, kernel, block and op (built only when one is needed). */
    private String describe(int i) {
        Launch l = launches.get(i);
        return "launch " + (i + 1) + " of " + launches.size() + ", " + l.kernelName() + " (" + l.block() + ", " + l.op()
                + ")";
    }

    private static DeviceFaultException fault(String what, ClException e) {
        return new DeviceFaultException(what, e.call(), e.code(), e.codeName(), e);
    }

    /**
     * The host time of this plan's last forward before its wait: copying the input into the
     * queue and enqueueing every launch (what the calling thread spends per forward besides
     * waiting for the device and reading the output). For benchmarks: with several threads on
     * one plan it is any one's.
     */
    public long lastEnqueueNanos() {
        return lastEnqueueNanos;
    }

    private volatile long lastEnqueueNanos;

    /** Writes an NCHW input, runs every launch, and waits. */
    public void run(HostTensor nchw) {
        long t0 = System.nanoTime();
        writeInputOrFault(nchw);
        runLaunches();
        lastEnqueueNanos = System.nanoTime() - t0;
        try {
            ctx.finish();
        } catch (ClException e) {
            throw fault("waiting for the forward", e);
        }
    }

    /**
     * Runs a forward and reads {@code outputs} (as {@link #read} does) with a single wait: the
     * queue is in order, so the first blocking read returns only after every launch has run.
     */
    public Map<String, HostTensor> run(HostTensor nchw, List<String> outputs) {
        writeInputOrFault(nchw);
        runLaunches();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String o : outputs) {
            try {
                out.put(o, read(o));
            } catch (ClException e) {
                throw fault("reading " + o, e);
            }
        }
        return out;
    }

    /** Runs a forward and reads {@code output} into {@code into} (see {@link #readInto}) with a single wait. */
    public float[] runInto(HostTensor nchw, String output, float[] into) {
        long t0 = System.nanoTime();
        writeInputOrFault(nchw);
        runLaunches();
        lastEnqueueNanos = System.nanoTime() - t0;
        try {
            return readInto(output, into);
        } catch (ClException e) {
            throw fault("reading " + output, e);
        }
    }

    private void writeInputOrFault(HostTensor nchw) {
        try {
            writeInput(nchw);
        } catch (ClException e) {
            throw fault("writing the input", e);
        }
    }

    /** The host time of the last {@link #runTimed}'s input write (copy and driver call). */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    private volatile long lastWriteNanos;

    /** Like {@link #run} but returns one profiling event per launch (the caller closes them). */
    public List<ClEvent> runTimed(HostTensor nchw) {
        long t0 = System.nanoTime();
        writeInput(nchw);
        lastWriteNanos = System.nanoTime() - t0;
        List<ClEvent> events = new ArrayList<>(launches.size());
        for (Launch l : launches) events.add(l.runTimed());
        ctx.finish();
        return events;
    }

    /**
     * Copies an NCHW input to the device (the first launch lays it out as NHWC): without waiting
     * where the binding allows, through a staging buffer that is the plan's and is only rewritten
     * by the next forward, after this one's {@code finish}; else straight from the array.
     */
    public void writeInput(HostTensor nchw) {
        Value in = graph.input();
        int[] s = nchw.shape();
        if (s.length != 4 || s[0] != in.n || s[1] != in.c || s[2] != in.h || s[3] != in.w) {
            throw new io.edgecl.EdgeClException("input shape " + nchw.shapeString() + " does not match the plan's ["
                    + in.n + ", " + in.c + ", " + in.h + ", " + in.w + "]");
        }
        // A binding that waits for every write copies straight from the array; one that can
        // return at once copies into the staging buffer and lets the device copy from it in
        // order. MobileNetV4-Conv-S, forwards alternated in one process: the array 0.98-0.99 of
        // the staging buffer's time with JOCL, and 1.04 of the asynchronous write's with LWJGL.
        if (!ctx.writesAsync() && nchw.data().length == in.numel()) {
            ctx.write(inputNchw, nchw.data());
            return;
        }
        if (inputStaging == null) {
            inputStaging = ByteBuffer.allocateDirect((int) in.numel() * 4).order(ByteOrder.nativeOrder());
        }
        inputStaging.clear();
        inputStaging.asFloatBuffer().put(nchw.data(), 0, (int) in.numel());
        ctx.writeBytesAsync(inputNchw, inputStaging);
    }

    /** Reads a graph output as NCHW ([n, c] for pooled vectors and logits). */
    public HostTensor read(String output) {
        Value v = value(output);
        return new HostTensor(outputShape(output), readInto(output, new float[(int) v.numel()]));
    }

    /** The shape {@link #read} gives {@code output}: NCHW, [n, c] for vectors, [n, rows, c] for row outputs. */
    public int[] outputShape(String output) {
        Value v = value(output);
        if (graph.isRowOutput(output)) return new int[] {v.n, v.h * v.w, v.c};
        if (v.h == 1 && v.w == 1) return new int[] {v.n, v.c};
        return new int[] {v.n, v.c, v.h, v.w};
    }

    /**
     * Reads a graph output into {@code into} (exactly its element count, in {@link #read}'s
     * order) and returns it: a caller that reads every forward into the same array allocates
     * nothing.
     */
    public float[] readInto(String output, float[] into) {
        Value v = value(output);
        if (into.length != v.numel()) {
            throw new IllegalArgumentException(
                    "output " + output + " has " + v.numel() + " values; the array given holds " + into.length);
        }
        if (graph.isRowOutput(output) || (v.h == 1 && v.w == 1)) return readValues(bufferOf.get(v), into);
        // a map is laid out as NCHW floats on the device and copied as it is (a transpose on the
        // host took longer than LR-ASPP's whole forward at 512x512)
        NchwReader r = nchwReaders.computeIfAbsent(output, k -> {
            if (directOutputs.contains(v)) return new NchwReader(bufferOf.get(v), null);
            ClBuffer b = ctx.alloc(4L * v.numel(), "output-nchw " + k);
            scratch.add(b);
            return new NchwReader(b, Elementwise.toNchw(ctx, bufferOf.get(v), b, v.n, v.c, v.h * v.w));
        });
        if (r.launch() != null) r.launch().run();
        ctx.readInto(r.buffer(), into);
        return into;
    }

    /** The number of values {@link #read} gives {@code output}. */
    public long outputElements(String output) {
        return value(output).numel();
    }

    private Value value(String output) {
        Value v = graph.outputs().get(output);
        if (v == null) throw new IllegalArgumentException("no output " + output);
        return v;
    }

    /** A dense output's NCHW copy on the device and the launch that fills it (null: its producer writes it so). */
    private record NchwReader(ClBuffer buffer, Launch launch) {}

    private final Map<String, NchwReader> nchwReaders = new HashMap<>();

    public Map<String, HostTensor> readAll() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String k : graph.outputs().keySet()) out.put(k, read(k));
        return out;
    }

    /** The plan's storage precision. */
    public Precision precision() {
        return precision;
    }

    private float[] readValues(ClBuffer b, float[] out) {
        if (precision == Precision.FP32) return ctx.readInto(b, out);
        int count = out.length;
        ByteBuffer bb = ByteBuffer.allocateDirect(2 * count).order(ByteOrder.nativeOrder());
        ctx.readBytes(b, bb);
        for (int i = 0; i < count; i++) out[i] = HalfFloats.halfToFloat(bb.getShort(2 * i));
        return out;
    }

    /** What an op sees of its plan while it gives its launches: the plan's buffers and the op's kernel choices. */
    private record PlanLowering(Plan plan, OpChoices choices) implements Lowering {
        public ClContext ctx() {
            return plan.ctx;
        }

        public ClBuffer buf(Value v) {
            if (v == plan.graph.input()) plan.inputLaidOut = true;
            return plan.bufferOf.get(v);
        }

        public ClBuffer nchwInput(Value v) {
            return v == plan.graph.input() ? plan.inputNchw : null;
        }

        public boolean nchwOutput(Value v) {
            return plan.directOutputs.contains(v);
        }

        public ClBuffer weight(HostTensor t) {
            ClBuffer b = plan.weights.get(t);
            if (b != null && plan.used.add(b)) plan.weights.retain(b);
            return b;
        }

        public ClBuffer weight(HostTensor t, String layout, Supplier<float[]> relayout) {
            ClBuffer b = plan.weights.get(t, layout, relayout);
            if (plan.used.add(b)) plan.weights.retain(b);
            return b;
        }

        public ClBuffer scratch(long bytes, String name) {
            ClBuffer b = plan.ctx.alloc(bytes, name);
            plan.scratch.add(b);
            return b;
        }

        public void providePoolParts(PoolParts parts) {
            plan.partsWritten = parts;
        }

        public PoolParts poolParts(Value v) {
            return plan.partsBefore != null && plan.partsBefore.of() == v ? plan.partsBefore : null;
        }

        public ClBuffer transientScratch(long bytes, String name) {
            if (plan.transientScratch == null || plan.transientScratch.bytes() < bytes) {
                throw new IllegalStateException(name + ": " + bytes
                        + " bytes of shared scratch, more than its op declared" + " (transientScratchBytes)");
            }
            return plan.transientScratch;
        }
    }

    @Override
    public void close() {
        for (Launch l : launches) l.close();
        launches.clear();
        for (NchwReader r : nchwReaders.values())
            if (r.launch() != null) r.launch().close();
        nchwReaders.clear();
        for (ClBuffer w : used) weights.release(w);
        used.clear();
        if (ownsWeights) weights.close();
        for (ClBuffer b : slots) b.close();
        slots.clear();
        for (ClBuffer b : scratch) b.close();
        scratch.clear();
    }
}
