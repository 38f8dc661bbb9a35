package io.edgecl.api;

import io.edgecl.DeviceFaultException;
import io.edgecl.EdgeClException;
import io.edgecl.cl.ClContext;
import io.edgecl.cl.ClEvent;
import io.edgecl.cl.ClException;
import io.edgecl.cl.DeviceInfo;
import io.edgecl.graph.DeviceWeights;
import io.edgecl.graph.FusionRule;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.MemoryPlanner;
import io.edgecl.graph.Plan;
import io.edgecl.models.ModelSpecException;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.KernelChoices;
import io.edgecl.ops.KernelFamily;
import io.edgecl.ops.Launch;
import io.edgecl.ops.Tuning;
import io.edgecl.profile.Profile;
import io.edgecl.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A model ready to run on one device: the entry point for programs that embed EdgeCL.
 *
 * <pre>{@code
 * try (Session s = Session.open("edgenext_xx_small", Path.of("model.safetensors"))) {
 *     HostTensor logits = s.run(inputNchw).logits();
 * }
 * }</pre>
 *
 * One execution plan is kept per input shape (batch, height, width), so repeated calls of the
 * same shape only write the input, enqueue and read back. The weights are uploaded once and
 * shared by every plan of the session.
 *
 * <p><b>Threads.</b> A session is safe to use from many threads: {@link #run} holds the session's
 * lock from writing the input to reading the outputs, so concurrent calls are served one after
 * the other, each with its own, correct result. One forward already keeps every compute unit
 * of the device busy, so concurrent callers gain no throughput from a session; measured on a
 * 2-core CPU device (see README), 2 and 4 threads give the images/s of one.
 *
 * <p><b>Ownership.</b> The session owns its plans and their device buffers, and closes them in
 * {@link #close()}. It keeps a bounded number of plans ({@link SessionOptions#withPlanCache}:
 * by default 8, with at most a quarter of the device's memory in activations), releasing the
 * least recently used shape first, so a caller that sends many image sizes does not grow
 * device memory without end; {@link #planCache()} reports what it holds. It closes its device
 * too when it opened it (options without
 * {@link SessionOptions#withDevice(Device) a shared device}); closing a shared device first
 * closes the sessions on it. After either, every method throws {@link IllegalStateException}.
 */
public final class Session implements AutoCloseable {
    private final Device device;
    private final boolean ownsDevice;
    private final ClContext ctx;
    private final VisionModel model;
    private final Weights weights;
    private final Set<FusionRule> disabledRules;
    private final KernelChoices choices;
    private final DeviceWeights deviceWeights;
    /** Plans by input shape, least recently used first. */
    private final LinkedHashMap<String, Plan> plans = new LinkedHashMap<>(16, 0.75f, true);

    private final int maxPlans;
    private final long maxPlanBytes;
    private long plansBuilt;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean weightsChecked;
    private volatile boolean closed;
    /** The fault after which the device's queue could not be drained; the session runs no more. */
    private volatile DeviceFaultException failure;

    private Session(Device device, boolean ownsDevice, VisionModel model, Weights weights, SessionOptions options) {
        Set<FusionRule> disabled = Fusion.rules(options.disabledFusion());
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.ctx = device.ctx;
        this.model = model;
        this.weights = weights;
        this.disabledRules = disabled.isEmpty() ? EnumSet.noneOf(FusionRule.class) : EnumSet.copyOf(disabled);
        this.deviceWeights = new DeviceWeights(ctx);
        this.choices = kernelChoices(ctx, options);
        this.maxPlans = options.maxPlans();
        this.maxPlanBytes =
                options.maxPlanBytes() > 0 ? options.maxPlanBytes() : ctx.info().globalMemBytes() / 4;
        ctx.addDependent(this);
    }

    /** A session of {@code model} over {@code weights} as {@code options} say. */
    public static Session open(VisionModel model, Weights weights, SessionOptions options) {
        Device d = options.device();
        boolean owns = d == null || options.closesDevice();
        if (d == null) {
            d = options.autoPrecision()
                    ? Device.openAuto(options.deviceSpec(), options.binding(), io.edgecl.Warnings::warn)
                    : Device.open(options.deviceSpec(), options.binding(), options.precision());
        }
        try {
            return new Session(d, owns, model, weights, options);
        } catch (RuntimeException e) {
            if (owns) d.close();
            throw e;
        }
    }

    /** A session over a weights file (safetensors or PyTorch checkpoint, key layout detected). */
    public static Session open(VisionModel model, Path weightsFile, SessionOptions options) {
        return open(model, ModelWeights.load(weightsFile, "auto"), options);
    }

    /** A registered model ({@code edgecl models} lists them) over a weights file, on the default device. */
    public static Session open(String modelName, Path weightsFile) {
        return open(Models.byName(modelName), weightsFile, SessionOptions.defaults());
    }

    public VisionModel model() {
        return model;
    }

    /** The device the session runs on. */
    public Device device() {
        checkOpen();
        return device;
    }

    /** The fusion rules this session runs with switched off. */
    public Set<Fusion> disabledFusion() {
        EnumSet<Fusion> out = EnumSet.noneOf(Fusion.class);
        for (Fusion f : Fusion.values()) if (disabledRules.contains(f.rule)) out.add(f);
        return out;
    }

    /**
     * The kernel choices of this session's plans, resolved once: the device's tuned choices (or
     * the tuner's overlay), under -Dedgecl.FAMILY=VALUE from the JVM's command line, under the
     * options' {@link SessionOptions#withKernel}; each family's device default where none is set.
     */
    static KernelChoices kernelChoices(ClContext ctx, SessionOptions options) {
        Map<String, String> tuned =
                options.tunedOverlay() != null ? options.tunedOverlay() : Tuning.snapshot(ctx.info());
        KernelChoices c = KernelChoices.DEFAULTS
                .withTuned(tuned)
                .withRuntimeEpilogueFlops(
                        Long.getLong(RUNTIME_EPILOGUE_PROPERTY, KernelChoices.DEFAULT_RUNTIME_EPILOGUE_FLOPS));
        for (KernelFamily<?> f : KernelFamily.ALL) {
            String v = options.kernels().getOrDefault(f.name(), System.getProperty(f.property(), ""));
            if (!v.isBlank()) c = c.forcingParsed(f, v);
        }
        return c;
    }

    /** Moves the panel kernels' runtime-epilogue bound (FLOPs; 0: never, a large N: always). */
    public static final String RUNTIME_EPILOGUE_PROPERTY = "edgecl.panel.runtime-epilogue-flops";

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(
                    "this Session is closed" + (ctx.isOpen() ? "" : " (its device was closed)"));
        }
    }

    /** The input the model expects: NCHW float with 3 channels, at its default size unless given another. */
    public int[] defaultInputShape(int batch) {
        int s = model.preprocess().size();
        return new int[] {batch, 3, s, s};
    }

    /** Output names: the model's primary output ("logits", or "out" for a segmenter), then each stage's features. */
    public List<String> outputNames() {
        List<String> out = new java.util.ArrayList<>();
        out.addAll(model.headOutputs());
        out.addAll(model.featureNames());
        return out;
    }

    /** The NCHW shape of each output for an input [batch, 3, h, w] (no device work). */
    public Map<String, int[]> outputShapes(int batch, int h, int w) {
        Graph g = graph(batch, h, w);
        Map<String, int[]> out = new LinkedHashMap<>();
        g.outputs()
                .forEach((k, v) -> out.put(
                        k,
                        v.h() == 1 && v.w() == 1 ? new int[] {v.n(), v.c()} : new int[] {v.n(), v.c(), v.h(), v.w()}));
        return out;
    }

    /** Builds (once) what runs inputs [batch, 3, h, w], and reports its cost; later runs of that shape reuse it. */
    public Footprint prepare(int batch, int h, int w) {
        return onDevice(() -> {
            Plan p = plan(batch, h, w);
            return new Footprint(
                    p.launches().size(),
                    p.weightBytes(),
                    p.activationBytes(),
                    p.graph().activationBytes(),
                    p.graph().macs());
        });
    }

    /**
     * The distinct OpenCL programs (kernel file and build options) the plan for [batch, 3, h, w]
     * launches, in first-launch order, each with its kernels and how many launches use it: what a
     * cold start on this device compiles. Builds the plan when it does not exist yet.
     */
    public List<ProgramUse> programs(int batch, int h, int w) {
        lock.lock();
        try {
            Map<String, ProgramUse> out = new LinkedHashMap<>();
            for (Launch l : plan(batch, h, w).launches()) {
                String label = l.program();
                int sp = label.indexOf(' ');
                String options = sp < 0 ? "" : label.substring(sp + 1);
                String file = io.edgecl.cl.ClContext.kernelFile(label);
                ProgramUse u = out.get(label);
                String sources = u != null ? u.sources() : String.join("+", io.edgecl.cl.KernelSources.sources(file));
                List<String> kernels = new ArrayList<>(u == null ? List.of() : u.kernels());
                if (!kernels.contains(l.kernelName())) kernels.add(l.kernelName());
                out.put(
                        label,
                        new ProgramUse(
                                file, sources, options, List.copyOf(kernels), (u == null ? 0 : u.launches()) + 1));
            }
            return List.copyOf(out.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * One program a plan launches: its kernel file, every source file it is built from (the
     * headers it includes first, joined by "+"), its build defines, the kernels of it that run,
     * and the launches per forward.
     */
    public record ProgramUse(String file, String sources, String options, List<String> kernels, int launches) {}

    /** The plan for an input shape, built on first use (weights checked against the spec then). */
    private Plan plan(int batch, int h, int w) {
        lock.lock();
        try {
            checkOpen();
            String key = batch + "x" + h + "x" + w;
            Plan p = plans.get(key);
            if (p == null) {
                Graph g = graph(batch, h, w);
                long needs = checkFits(g, batch, h, w);
                // room first: the device must not hold the released plans and the new one at once
                release(plans.size() + 1 > maxPlans ? plans.size() + 1 - maxPlans : 0, needs);
                p = new Plan(g, deviceWeights, choices);
                plansBuilt++;
                // the plan's scratch buffers were not in the estimate
                release(0, p.activationBytes());
                plans.put(key, p);
                // weights only released plans used (a positional encoding of their size), now that
                // the new plan has taken what it shares with them
                deviceWeights.freeUnused();
            }
            return p;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Releases the {@code count} least recently used plans, and more while the plans left and a
     * new plan of {@code incoming} activation bytes would hold more than the bound.
     */
    private void release(int count, long incoming) {
        long held = planBytes();
        var it = plans.entrySet().iterator();
        while (it.hasNext() && (count > 0 || held + incoming > maxPlanBytes)) {
            Plan old = it.next().getValue();
            it.remove();
            held -= old.activationBytes();
            old.close();
            count--;
        }
    }

    /** Activation bytes of the plans held. */
    private long planBytes() {
        long b = 0;
        for (Plan p : plans.values()) b += p.activationBytes();
        return b;
    }

    /**
     * The plans this session holds now, the activation bytes they hold together, and how many it
     * has built in all (a count above the shapes seen means released shapes came back).
     */
    public PlanCacheStats planCache() {
        lock.lock();
        try {
            return new PlanCacheStats(plans.size(), planBytes(), plansBuilt, maxPlans, maxPlanBytes);
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #planCache()} reports; the bounds come from {@link SessionOptions#withPlanCache}. */
    public record PlanCacheStats(int plans, long activationBytes, long built, int maxPlans, long maxBytes) {}

    /**
     * Refuses, before any device allocation, a plan whose weights and activations cannot fit the
     * device: its global memory in all, its largest allocation for any one buffer. Returns the
     * activation bytes planned.
     */
    private long checkFits(Graph g, int batch, int h, int w) {
        int elem = ctx.precision().elementBytes();
        MemoryPlanner.Assignment a = MemoryPlanner.plan(g, elem);
        long act = a.totalBytes(), largest = 0;
        for (long b : a.slotBytes()) largest = Math.max(largest, b);
        long wts = weights.paramCount() * (long) elem;
        DeviceInfo d = ctx.info();
        String shape = "[" + batch + ", 3, " + h + ", " + w + "]";
        if (largest > d.maxAllocBytes()) {
            throw new ModelSpecException(model.name() + " at " + shape + " needs an activation buffer of "
                    + DeviceInfo.human(largest) + " but " + d.name() + " allows at most "
                    + DeviceInfo.human(d.maxAllocBytes())
                    + " per allocation (reduce the batch or the input size)");
        }
        if (act + wts > d.globalMemBytes()) {
            throw new ModelSpecException(model.name() + " at " + shape + " needs " + DeviceInfo.human(act + wts)
                    + " of device memory (weights " + DeviceInfo.human(wts) + ", activations " + DeviceInfo.human(act)
                    + ") but " + d.name() + " has " + DeviceInfo.human(d.globalMemBytes()));
        }
        return act;
    }

    /** The fused graph for an input shape (no device work). */
    Graph graph(int batch, int h, int w) {
        lock.lock();
        try {
            checkOpen();
            Graph g = build(batch, h, w);
            FusionScheduler.apply(g, disabledRules);
            return g;
        } finally {
            lock.unlock();
        }
    }

    private Graph build(int batch, int h, int w) {
        if (batch <= 0) throw new EdgeClException("batch size must be positive, got " + batch);
        if (batch > 65536) throw new EdgeClException("batch size must be at most 65536, got " + batch);
        model.checkInput(3, h, w);
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
        return g;
    }

    /**
     * What the plan at this shape launches, one line per launch (kernel, global and local size):
     * two sessions whose lines are equal run the same kernels.
     */
    List<String> launchSignature(int batch, int h, int w) {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Launch l : plan(batch, h, w).launches()) out.add(l.signature());
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs an NCHW float batch and returns the outputs asked for, by name ({@link #outputNames}:
     * "logits" and each stage's "features.i", NCHW), in that order.
     *
     * @throws EdgeClException for a name the model does not output, listing those it does
     */
    public Result run(HostTensor nchw, Set<String> outputs) {
        int[] s = checkInput(nchw);
        List<String> names = new ArrayList<>();
        for (String n : outputNames()) if (outputs.contains(n)) names.add(n);
        if (names.size() != outputs.size() || names.isEmpty()) {
            List<String> unknown = new ArrayList<>(outputs);
            unknown.removeAll(names);
            throw new EdgeClException((outputs.isEmpty() ? "no output asked for" : "no output named " + unknown) + ": "
                    + model.name() + " outputs " + String.join(", ", outputNames()));
        }
        return onDevice(() -> new Result(plan(s[0], s[2], s[3]).run(nchw, names)));
    }

    /**
     * The class of every pixel of {@code image}, with a segmentation model ({@code primaryOutput}
     * "out"), as its weights expect it: resized as {@link VisionModel#segmentationInput} says
     * (torchvision's: the short side to {@code shortSide}, the aspect ratio kept), normalised with the model's mean and std; the
     * scores resized back to the image's size before each pixel takes its best class.
     *
     * @throws EdgeClException when the model is not a segmenter
     */
    public SegmentationMask segment(io.edgecl.io.image.RgbImage image, int shortSide) {
        if (!model.primaryOutput().equals("out")) {
            throw new EdgeClException(model.name() + " is not a segmentation model");
        }
        int[] wh = model.segmentationInput(image.width(), image.height(), shortSide);
        HostTensor x = new io.edgecl.io.image.Preprocessor(model.preprocess())
                .toTensor(io.edgecl.io.image.Resampler.resize(
                        image, wh[0], wh[1], io.edgecl.io.image.Interpolation.BILINEAR));
        return SegmentationMask.of(run(x).get("out"), 0, image.height(), image.width());
    }

    /**
     * The objects in {@code image}, with a detection model ({@link io.edgecl.models.Detector}:
     * torchvision's SSDLite, ml-cvnets' SSD): the image transformed as the model's upstream does
     * it, the head run, and its outputs post-processed on the host as the upstream does (softmax,
     * score threshold, top-k per class, class-wise NMS); best first, boxes [x1, y1, x2, y2] in the
     * image's pixels, labels as the model numbers its classes (its {@code labels()} names them).
     *
     * @throws EdgeClException when the model is not a detector
     */
    public io.edgecl.models.SsdPostprocess.Detections detect(io.edgecl.io.image.RgbImage image) {
        if (!(model instanceof io.edgecl.models.Detector d)) {
            throw new EdgeClException(model.name() + " is not a detection model");
        }
        Map<String, HostTensor> head =
                run(d.transform(image), java.util.Set.copyOf(d.headOutputs())).asMap();
        return d.detections(head, 0, image.height(), image.width());
    }

    /**
     * Runs an NCHW float batch and writes its primary output into {@code into}, in the order and
     * shape {@link #run(HostTensor)} gives it ({@link #outputShapes}); returns {@code into}. For
     * a loop that keeps one array: nothing the size of the output is allocated per call (a
     * segmenter's scores at 512×512 are 22 MB).
     *
     * @throws EdgeClException when {@code into} does not hold exactly the output's element count
     */
    public float[] runInto(HostTensor nchw, float[] into) {
        int[] s = checkInput(nchw);
        String out = model.primaryOutput();
        return onDevice(() -> {
            io.edgecl.graph.Plan p = plan(s[0], s[2], s[3]);
            long need = p.outputElements(out);
            if (into.length != need) {
                throw new EdgeClException(model.name() + "'s " + out + " at " + java.util.Arrays.toString(s) + " has "
                        + need + " values; the array given holds " + into.length);
            }
            return p.runInto(nchw, out, into);
        });
    }

    /**
     * The host time, in nanoseconds, that the last {@link #runInto} of a {@code batch} x
     * {@code h} x {@code w} input spent before waiting for the device: copying the input into
     * the queue and enqueueing every launch. For benchmarks; 0 before that shape's first run.
     */
    public long lastEnqueueNanos(int batch, int h, int w) {
        return onDevice(() -> plan(batch, h, w).lastEnqueueNanos());
    }

    /** Runs an NCHW float batch; returns its primary output (the logits of a classifier). */
    public Result run(HostTensor nchw) {
        return run(nchw, Set.of(model.primaryOutput()));
    }

    /**
     * Runs once with a device timestamp on every kernel and returns the device time from the
     * first kernel's start to the last one's end, in nanoseconds (the outputs are not read).
     */
    public long timedRun(HostTensor nchw) {
        int[] s = checkInput(nchw);
        return onDevice(() -> {
            List<ClEvent> events = plan(s[0], s[2], s[3]).runTimed(nchw);
            long first = Long.MAX_VALUE, last = 0;
            for (ClEvent e : events) {
                try (e) {
                    first = Math.min(first, e.startNs());
                    last = Math.max(last, e.endNs());
                }
            }
            return last - first;
        });
    }

    /** Per-launch device timings over {@code iters} forwards after {@code warmup} untimed ones. */
    public Profile profile(HostTensor nchw, int warmup, int iters) {
        int[] s = checkInput(nchw);
        return onDevice(() -> Profile.run(plan(s[0], s[2], s[3]), nchw, warmup, iters));
    }

    /**
     * Runs {@code work} on the device under the session's lock. A failed OpenCL call (a
     * {@link DeviceFaultException} naming the launch, or the build or allocation of a plan) goes
     * to the caller; the queue is then drained, and when even that fails the device is taken as
     * lost: the session says so on every later call ({@link #failed}) instead of running.
     */
    private <T> T onDevice(java.util.function.Supplier<T> work) {
        lock.lock();
        try {
            checkOpen();
            if (failure != null) {
                throw new DeviceFaultException(
                        "this session's device failed earlier; open a new session",
                        failure.call(),
                        failure.code(),
                        failure.codeName(),
                        failure);
            }
            try {
                return work.get();
            } catch (DeviceFaultException e) {
                drainAfter(e);
                throw e;
            } catch (ClException e) {
                // a plan's build or allocation
                DeviceFaultException f =
                        new DeviceFaultException("preparing the forward", e.call(), e.code(), e.codeName(), e);
                drainAfter(f);
                throw f;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drains the queue after a fault; when that fails too, the device is taken as lost. */
    private void drainAfter(DeviceFaultException fault) {
        try {
            ctx.finish();
        } catch (ClException lost) {
            failure = fault;
        }
    }

    /** Whether a device fault left this session unable to run (the queue could not be drained after it). */
    public boolean failed() {
        return failure != null;
    }

    private int[] checkInput(HostTensor nchw) {
        int[] s = nchw.shape();
        if (s.length != 4) {
            throw new EdgeClException("input must be NCHW (4 dimensions), got shape " + nchw.shapeString());
        }
        model.checkInput(s[1], s[2], s[3]);
        return s;
    }

    /** Releases the plans and the weights (and the device, when the session opened it). Idempotent. */
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
        if (ownsDevice) device.close();
    }
}
