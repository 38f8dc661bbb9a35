package io.edgecl.api;

import io.edgecl.EdgeClException;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.graph.DeviceWeights;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import java.util.EnumSet;
import io.edgecl.graph.Graph;
import io.edgecl.graph.MemoryPlanner;
import io.edgecl.graph.Plan;
import io.edgecl.tensor.HostTensor;
import io.edgecl.models.ModelSpecException;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model ready to run on one device: the entry point for programs that embed EdgeCL.
 *
 * <pre>{@code
 * try (Session s = Session.open(Models.byName("edgenext_xx_small"), Path.of("model.safetensors"),
 *                               ClContext.open(null, null))) {
 *     HostTensor logits = s.run(inputNchw).get("logits");
 * }
 * }</pre>
 *
 * One execution plan is kept per input shape (batch, height, width), so repeated calls of the
 * same shape only write the input, enqueue and read back.
 *
 * <p><b>Threads.</b> A session is safe to use from many threads: {@link #run} holds the session's
 * lock from writing the input to reading the outputs, so concurrent calls are served one after
 * the other, each with its own, correct result. One forward already keeps every compute unit
 * of the device busy, so concurrent callers gain no throughput from a session; measured on a
 * 2-core CPU device (see README), 2 and 4 threads give the images/s of one.
 *
 * <p><b>Ownership.</b> The session owns its plans and their device buffers, and closes them in
 * {@link #close()}. It closes its {@link ClContext} too when opened with {@code ownsContext};
 * otherwise closing the context first closes the session. After either, every method throws
 * {@link IllegalStateException}.
 */
public final class Session implements AutoCloseable {
    private final ClContext ctx;
    private final boolean ownsContext;
    private final VisionModel model;
    private final Weights weights;
    private final Set<FusionRule> disabledRules;
    private final DeviceWeights deviceWeights;
    private final Map<String, Plan> plans = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private boolean weightsChecked;
    private volatile boolean closed;

    private Session(ClContext ctx, boolean ownsContext, VisionModel model, Weights weights, Set<FusionRule> disabledRules) {
        this.ctx = ctx;
        this.ownsContext = ownsContext;
        this.model = model;
        this.weights = weights;
        this.disabledRules = disabledRules.isEmpty() ? EnumSet.noneOf(FusionRule.class) : EnumSet.copyOf(disabledRules);
        this.deviceWeights = new DeviceWeights(ctx);
        ctx.addDependent(this);
    }

    /** A session over a weights file (safetensors or PyTorch checkpoint, key layout detected). */
    public static Session open(VisionModel model, Path weightsFile, ClContext ctx) {
        return new Session(ctx, false, model, ModelWeights.load(weightsFile, "auto"), Set.of());
    }

    /**
     * The general form: {@code ownsContext} closes the context with the session;
     * {@code disabledRules} names fusion rules to switch off ({@link FusionRule#all()} = unfused).
     */
    public static Session open(VisionModel model, Weights weights, ClContext ctx, boolean ownsContext,
                               Set<FusionRule> disabledRules) {
        return new Session(ctx, ownsContext, model, weights, disabledRules);
    }

    public VisionModel model() {
        return model;
    }

    public ClContext context() {
        return ctx;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this Session is closed" + (ctx.isOpen() ? "" : " (its OpenCL context was closed)"));
        }
    }

    /** The plan for an input shape, built on first use (weights checked against the spec then). */
    public Plan plan(int batch, int h, int w) {
        lock.lock();
        try {
            checkOpen();
            String key = batch + "x" + h + "x" + w;
            Plan p = plans.get(key);
            if (p == null) {
                Graph g = graph(batch, h, w);
                checkFits(g, batch, h, w);
                p = new Plan(g, deviceWeights);
                plans.put(key, p);
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses, before any device allocation, a plan whose weights and activations cannot fit the
     * device: its global memory in all, its largest allocation for any one buffer.
     */
    private void checkFits(Graph g, int batch, int h, int w) {
        int elem = ctx.precision().elementBytes();
        MemoryPlanner.Assignment a = MemoryPlanner.plan(g, elem);
        long act = a.totalBytes(), largest = 0;
        for (long b : a.slotBytes()) largest = Math.max(largest, b);
        long wts = weights.paramCount() * (long) elem;
        DeviceInfo d = ctx.info();
        String shape = "[" + batch + ", 3, " + h + ", " + w + "]";
        if (largest > d.maxAllocBytes()) {
            throw new ModelSpecException(model.name() + " at " + shape + " needs an activation buffer of "
                    + DeviceInfo.human(largest) + " but " + d.name() + " allows at most " + DeviceInfo.human(d.maxAllocBytes())
                    + " per allocation (reduce the batch or the input size)");
        }
        if (act + wts > d.globalMemBytes()) {
            throw new ModelSpecException(model.name() + " at " + shape + " needs " + DeviceInfo.human(act + wts)
                    + " of device memory (weights " + DeviceInfo.human(wts) + ", activations " + DeviceInfo.human(act)
                    + ") but " + d.name() + " has " + DeviceInfo.human(d.globalMemBytes()));
        }
    }

    /** The fused graph for an input shape (no device work). */
    public Graph graph(int batch, int h, int w) {
        lock.lock();
        try {
            checkOpen();
            if (batch <= 0) throw new EdgeClException("batch size must be positive, got " + batch);
            if (batch > 65536) throw new EdgeClException("batch size must be at most 65536, got " + batch);
            Graph g;
            try {
                g = model.build(weights, batch, h, w);
            } catch (ArithmeticException | NegativeArraySizeException e) {
                throw new ModelSpecException(model.name() + " at [" + batch + ", 3, " + h + ", " + w
                        + "] is too large to size (" + e.getMessage() + ")");
            }
            if (!weightsChecked) {
                weights.finish();
                weightsChecked = true;
            }
            FusionScheduler.apply(g, disabledRules);
            return g;
        } finally {
            lock.unlock();
        }
    }

    /** Runs an NCHW float batch; returns "logits" and, when asked, each "features.i" (NCHW). */
    public Map<String, HostTensor> run(HostTensor nchw, boolean features) {
        int[] s = nchw.shape();
        if (s.length != 4) {
            throw new EdgeClException("input must be NCHW (4 dimensions), got shape " + nchw.shapeString());
        }
        model.checkInput(s[1], s[2], s[3]);
        lock.lock();
        try {
            checkOpen();
            Plan p = plan(s[0], s[2], s[3]);
            p.run(nchw);
            Map<String, HostTensor> out = new LinkedHashMap<>();
            out.put("logits", p.read("logits"));
            if (features) {
                for (String f : model.featureNames()) out.put(f, p.read(f));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    public Map<String, HostTensor> run(HostTensor nchw) {
        return run(nchw, false);
    }

    /** Releases the plans (and the context, when owned). Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            for (Plan p : plans.values()) p.close();
            plans.clear();
            deviceWeights.close();
        } finally {
            lock.unlock();
        }
        ctx.removeDependent(this);
        if (ownsContext) ctx.close();
    }
}
