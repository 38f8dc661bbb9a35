package io.edgecl.cl;

import io.edgecl.EdgeClException;
import io.edgecl.Warnings;
import io.edgecl.tensor.HalfFloats;
import io.edgecl.tensor.Precision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime for one device: context, one in-order profiling-enabled queue, buffers and
 * programs. Programs are built once per (source, options) and cached on disk; closing the
 * context releases every program and the queue (buffers are owned by their users and counted
 * here so tests can check nothing leaks).
 */
public final class ClContext implements AutoCloseable {
    private final ClBinding cl;
    private final ClDevice device;
    private final ClHandle.Context context;
    private final ClHandle.Queue queue;
    private final ProgramCache cache;
    /** Built programs by (options, source); the sources are shared strings, their hashes computed once. */
    private final Map<ProgramKey, ClProgram> programs = new LinkedHashMap<>();

    private record ProgramKey(String options, String source) {}

    private final AtomicInteger liveBuffers = new AtomicInteger();
    private final AtomicLong liveBytes = new AtomicLong();
    private final boolean guarded = Boolean.getBoolean(GUARD_PROPERTY);
    private final java.util.Set<ClBuffer> guardedBuffers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private ClBuffer placeholder;
    private Precision precision = Precision.FP32;
    private volatile boolean closed;
    /** What uses this context and must close first (sessions): closing the context closes them. */
    private final java.util.Set<AutoCloseable> dependents =
            java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());

    public ClContext(ClDevice device) {
        this(device, ProgramCache.defaultCache());
    }

    public ClContext(ClDevice device, ProgramCache cache) {
        this.cl = device.binding();
        this.device = device;
        this.cache = cache;
        this.context = cl.createContext(device.platform(), device.device());
        ClHandle.Queue q;
        try {
            q = cl.createQueue(context, device.device(), true);
        } catch (ClException e) {
            cl.releaseContext(context);
            throw e;
        }
        this.queue = q;
    }

    /** Opens the device chosen by {@code deviceSpec} (see {@link Devices#choose}) with the named binding. */
    public static ClContext open(String binding, String deviceSpec) {
        ClBinding b = Bindings.create(binding);
        return new ClContext(Devices.choose(b, deviceSpec));
    }

    public ClBinding cl() {
        return cl;
    }

    public ClDevice device() {
        return device;
    }

    public DeviceInfo info() {
        return device.info();
    }

    ClHandle.Queue queue() {
        checkOpen();
        return queue;
    }

    /** Throws {@link IllegalStateException} once the context is closed: a released queue would abort the process. */
    public void checkOpen() {
        if (closed)
            throw new IllegalStateException(
                    "the OpenCL context of " + device.info().name() + " is closed");
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Registers something to close before this context closes (a session over it); see {@link #close()}. */
    public void addDependent(AutoCloseable c) {
        checkOpen();
        dependents.add(c);
    }

    public void removeDependent(AutoCloseable c) {
        dependents.remove(c);
    }

    // ---- buffers

    public ClBuffer alloc(long bytes, String label) {
        checkOpen();
        if (bytes <= 0) throw new IllegalArgumentException("buffer '" + label + "' of " + bytes + " bytes");
        if (bytes > info().maxAllocBytes()) {
            throw new EdgeClException("buffer '" + label + "' needs " + DeviceInfo.human(bytes)
                    + " but the device allows at most " + DeviceInfo.human(info().maxAllocBytes()) + " per allocation");
        }
        ClBuffer b = new ClBuffer(
                this,
                cl.createBuffer(context, ClConst.MEM_READ_WRITE, guarded ? bytes + GUARD_BYTES : bytes),
                bytes,
                label);
        if (guarded) {
            cl.write(queue(), b.handle(), bytes, guardPattern());
            guardedBuffers.add(b);
        }
        liveBuffers.incrementAndGet();
        liveBytes.addAndGet(bytes);
        return b;
    }

    public ClBuffer upload(float[] data, String label) {
        ClBuffer b = alloc(Math.max(4L, 4L * data.length), label);
        if (data.length > 0) write(b, data);
        return b;
    }

    /** Uploads {@code data} in the context's storage precision (halves under fp16-storage), as kernels read it. */
    public ClBuffer uploadStored(float[] data, String label) {
        ClBuffer b = alloc(Math.max(4L, (long) data.length * precision().elementBytes()), label);
        try {
            if (precision() == Precision.FP32) {
                if (data.length > 0) write(b, data);
            } else {
                ByteBuffer bb = ByteBuffer.allocateDirect(2 * data.length).order(ByteOrder.nativeOrder());
                for (float f : data) bb.putShort(HalfFloats.floatToHalf(f));
                bb.flip();
                writeBytes(b, bb);
            }
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
        return b;
    }

    /** Blocking write of all of {@code data} at the start of {@code b}, straight from the array. */
    public void write(ClBuffer b, float[] data) {
        if (4L * data.length > b.bytes()) {
            throw new IllegalArgumentException("write of " + data.length + " floats overruns " + b);
        }
        if (data.length > 0) cl.writeFloats(queue(), b.handle(), 0, data);
    }

    public void write(ClBuffer b, long floatOffset, float[] data, int from, int count) {
        if (4L * (floatOffset + count) > b.bytes()) {
            throw new IllegalArgumentException("write of " + count + " floats at " + floatOffset + " overruns " + b);
        }
        ByteBuffer bb = ByteBuffer.allocateDirect(4 * count).order(ByteOrder.nativeOrder());
        bb.asFloatBuffer().put(data, from, count);
        cl.write(queue(), b.handle(), 4L * floatOffset, bb);
    }

    public float[] read(ClBuffer b, int count) {
        return read(b, 0, count);
    }

    public float[] read(ClBuffer b, long floatOffset, int count) {
        if (4L * (floatOffset + count) > b.bytes()) {
            throw new IllegalArgumentException("read of " + count + " floats at " + floatOffset + " overruns " + b);
        }
        float[] out = new float[count];
        if (count > 0) cl.readFloats(queue(), b.handle(), 4L * floatOffset, out);
        return out;
    }

    /** Blocking read of the first {@code into.length} floats of {@code b} into {@code into}; returns it. */
    public float[] readInto(ClBuffer b, float[] into) {
        if (4L * into.length > b.bytes()) {
            throw new IllegalArgumentException("read of " + into.length + " floats overruns " + b);
        }
        if (into.length > 0) cl.readFloats(queue(), b.handle(), 0, into);
        return into;
    }

    /**
     * A tiny buffer bound to kernel arguments a variant does not read (OpenCL 1.2 has no portable
     * null buffer argument). Owned by the context.
     */
    public synchronized ClBuffer placeholder() {
        if (placeholder == null) placeholder = alloc(16, "placeholder");
        return placeholder;
    }

    // ---- guard bytes (a debugging aid)

    /** The system property that turns guard bytes on for contexts opened after it is set. */
    public static final String GUARD_PROPERTY = "edgecl.debug.guard";

    /** Bytes of the pattern after each buffer when guards are on. */
    public static final int GUARD_BYTES = 4096;

    private static final byte GUARD = (byte) 0xA5;

    /**
     * Whether each buffer carries {@link #GUARD_BYTES} of a known pattern past its end ({@code
     * -Dedgecl.debug.guard=true} when the context opened). Plans then check them after every
     * launch, so a kernel that writes past a buffer is named by the launch that did it instead of
     * corrupting memory later (on CPU drivers, buffers are the process's heap). One read per
     * buffer per launch: for finding faults, not for speed.
     */
    public boolean guarded() {
        return guarded;
    }

    private static ByteBuffer guardPattern() {
        ByteBuffer bb = ByteBuffer.allocateDirect(GUARD_BYTES);
        for (int i = 0; i < GUARD_BYTES; i++) bb.put(GUARD);
        return bb.flip();
    }

    /**
     * Reads every live buffer's guard bytes (after the queue has finished); a changed byte is a
     * {@link BufferOverrunException} naming the buffer and {@code after}, the launch just run.
     */
    public void checkGuards(String after) {
        if (!guarded) return;
        ByteBuffer bb = ByteBuffer.allocateDirect(GUARD_BYTES);
        for (ClBuffer b : guardedBuffers) {
            bb.clear();
            cl.read(queue(), b.handle(), b.bytes(), bb);
            for (int i = 0; i < GUARD_BYTES; i++) {
                if (bb.get(i) != GUARD) {
                    // restored, so the next check names the next fault rather than this one again
                    cl.write(queue(), b.handle(), b.bytes(), guardPattern());
                    throw new BufferOverrunException(after + " wrote past the end of buffer '" + b.label() + "' ("
                            + b.bytes() + " bytes): guard byte +" + i + " changed");
                }
            }
        }
    }

    void released(ClBuffer b) {
        if (guarded) guardedBuffers.remove(b);
        if (!closed) cl.releaseBuffer(b.rawHandle());
        liveBuffers.decrementAndGet();
        liveBytes.addAndGet(-b.bytes());
    }

    public int liveBuffers() {
        return liveBuffers.get();
    }

    public long liveBytes() {
        return liveBytes.get();
    }

    // ---- programs

    /**
     * Storage precision of the programs built from now on (plans built earlier keep theirs:
     * the precision is part of every program's build options and cache key).
     */
    public void setPrecision(Precision p) {
        if (p == Precision.FP16 && !halfArithmetic()) {
            throw new EdgeClException("precision fp16 needs half arithmetic (cl_khr_fp16), which " + info().name()
                    + " lacks; use fp16-storage (half storage, float arithmetic) or fp32");
        }
        this.precision = p;
    }

    /** Whether kernels may compute in half: the device reports cl_khr_fp16. */
    public boolean halfArithmetic() {
        return info().fp16();
    }

    public Precision precision() {
        return precision;
    }

    /** Blocking raw write of {@code data}'s remaining bytes at byte offset 0. */
    public void writeBytes(ClBuffer b, ByteBuffer data) {
        if (data.remaining() > b.bytes())
            throw new IllegalArgumentException("write of " + data.remaining() + " bytes overruns " + b);
        cl.write(queue(), b.handle(), 0, data);
    }

    /**
     * Enqueues a write of {@code data}'s remaining bytes (a direct buffer) at byte offset 0 and
     * returns at once where the binding allows (LWJGL; JOCL waits): the caller keeps {@code data}
     * unchanged until the queue is finished.
     */
    public void writeBytesAsync(ClBuffer b, ByteBuffer data) {
        if (!data.isDirect()) throw new IllegalArgumentException("an asynchronous write needs a direct buffer");
        if (data.remaining() > b.bytes())
            throw new IllegalArgumentException("write of " + data.remaining() + " bytes overruns " + b);
        cl.writeAsync(queue(), b.handle(), 0, data);
    }

    /** Whether {@link #writeBytesAsync} returns before the copy is done (else it waits for it). */
    public boolean writesAsync() {
        return cl.writesAsync();
    }

    /** Blocking raw write of {@code data}'s remaining bytes at byte offset {@code offset}. */
    public void writeBytes(ClBuffer b, long offset, ByteBuffer data) {
        if (offset < 0 || offset + data.remaining() > b.bytes()) {
            throw new IllegalArgumentException(
                    "write of " + data.remaining() + " bytes at " + offset + " overruns " + b);
        }
        cl.write(queue(), b.handle(), offset, data);
    }

    /** Blocking raw read into {@code data}'s remaining bytes from byte offset 0. */
    public void readBytes(ClBuffer b, ByteBuffer data) {
        if (data.remaining() > b.bytes())
            throw new IllegalArgumentException("read of " + data.remaining() + " bytes overruns " + b);
        cl.read(queue(), b.handle(), 0, data);
    }

    /** Default build options for this device; {@code defines} are added as -D flags. */
    public String buildOptions(Map<String, String> defines) {
        StringBuilder b = new StringBuilder();
        if (info().openclC() >= 1.2) b.append("-cl-std=CL1.2");
        if (precision != Precision.FP32 && !defines.containsKey("EDGECL_PRECISION")) {
            b.append(" -DEDGECL_PRECISION=").append(precision.macro());
        }
        if (!defines.containsKey("EDGECL_ERF") && info().isCpu()) {
            // CPU runtimes' built-in erf is several times slower than a 4e-7 rational approximation
            b.append(" -DEDGECL_ERF=1");
        }
        if (!defines.containsKey("EDGECL_EXP") && info().isCpu()) {
            // and its exp costs more than the GEMM a SiLU epilogue follows (common.h.cl)
            b.append(" -DEDGECL_EXP=1");
        }
        for (Map.Entry<String, String> e : new TreeMap<>(defines).entrySet()) {
            b.append(" -D").append(e.getKey());
            if (e.getValue() != null && !e.getValue().isEmpty()) b.append('=').append(e.getValue());
        }
        return b.toString().trim();
    }

    /**
     * Builds (or fetches from memory or the disk cache) the program of a kernel file, every
     * kernel in it, with the headers it includes.
     */
    public synchronized ClProgram program(Map<String, String> defines, String file) {
        return program(defines, null, file);
    }

    /**
     * The program of a kernel file holding only the kernels named in {@code kernels} (null:
     * all), which builds faster (see {@link KernelSources#program(java.util.Collection, String)}).
     * Programs are told apart by their whole source, headers included, and build options.
     */
    public synchronized ClProgram program(
            Map<String, String> defines, java.util.Collection<String> kernels, String file) {
        java.util.List<String> only =
                kernels == null ? null : kernels.stream().sorted().toList();
        String source = KernelSources.program(only, file);
        String options = buildOptions(defines);
        String label =
                file + (defines.isEmpty() ? "" : " " + new TreeMap<>(defines)) + (only == null ? "" : " " + only);
        return programFromSource(label, source, options, only);
    }

    /** One kernel of a kernel file, from a program of that kernel alone. */
    public ClKernel kernel(Map<String, String> defines, String name, String file) {
        return program(defines, java.util.List.of(name), file).kernel(name);
    }

    public synchronized ClProgram programFromSource(String label, String source, String options) {
        return programFromSource(label, source, options, null);
    }

    /**
     * @param kernels the kernels the source holds, or null when not known: on a driver that
     *                compiles at first launch the binary is stored once each has run, and not at
     *                all when they are not known
     */
    private ClProgram programFromSource(String label, String source, String options, java.util.List<String> kernels) {
        checkOpen();
        ProgramKey memKey = new ProgramKey(options, source);
        ClProgram p = programs.get(memKey);
        if (p != null) return p;
        long t0 = System.nanoTime();
        String key = ProgramCache.key(source, options, info(), cl.name());
        ClHandle.Program handle = null;
        boolean fromCache = false;
        if (cache != null) {
            ProgramCache.Entry entry = cache.load(key);
            if (entry.problem() != null)
                Warnings.warn("program cache entry " + entry.problem() + "; rebuilding " + label + " from source");
            byte[] bin = entry.binary();
            if (bin != null) {
                try {
                    handle = cl.programFromBinary(context, device.device(), bin);
                    cl.build(handle, device.device(), options);
                    fromCache = true;
                } catch (ClException e) {
                    // A stale or foreign binary (driver update): rebuild from source and replace it.
                    if (handle != null) cl.releaseProgram(handle);
                    handle = null;
                    cache.remove(key);
                    Warnings.warn("the driver refused the cached binary of " + label + " (" + e.getMessage()
                            + "); rebuilding from source");
                }
            }
        }
        if (handle == null) {
            handle = buildFromSource(label, source, options, true);
        }
        long dt = System.nanoTime() - t0;
        p = new ClProgram(this, label, handle, fromCache, dt);
        if (cache != null && !fromCache) {
            if (!ProgramCache.driverCompilesAtLaunch(info())) storeBinary(key, handle);
            else if (kernels != null) p.storeWhenLaunched(key, kernels);
        }
        programs.put(memKey, p);
        return p;
    }

    // ---- the compile bill

    private final java.util.Set<String> firstLaunches = new java.util.HashSet<>();
    private final Map<String, long[]> firstLaunchByFile = new TreeMap<>();

    /** True the first time a kernel of {@code program} is launched in {@code shape} (name and work-group). */
    synchronized boolean firstLaunchOf(String program, String shape) {
        return firstLaunches.add(program + "\0" + shape);
    }

    synchronized void firstLaunched(String program, long nanos) {
        long[] a = firstLaunchByFile.computeIfAbsent(kernelFile(program), f -> new long[2]);
        a[0]++;
        a[1] += nanos;
    }

    /** The kernel file a program label names: "gemm.cl {ACT=…} [gemm_panel]" → "gemm.cl". */
    public static String kernelFile(String label) {
        int sp = label.indexOf(' ');
        return sp < 0 ? label : label.substring(0, sp);
    }

    /**
     * What compiling cost this context so far, in total and per kernel file: programs built (and
     * how many came from EdgeCL's binary cache), the milliseconds in clBuildProgram, and the first
     * launches of each kernel in each work-group shape, timed alone, where drivers that compile
     * lazily (PoCL) spend their compile. {@code binaryCache} says where binaries are kept: "edgecl"
     * (ours), "driver" (the driver's own, PoCL's) or "off".
     */
    public record CompileBill(
            String binaryCache,
            int programs,
            int fromCache,
            double buildMs,
            int firstLaunches,
            double firstLaunchMs,
            Map<String, FileBill> byFile) {
        public double totalMs() {
            return buildMs + firstLaunchMs;
        }
    }

    /** One kernel file's share of a {@link CompileBill}. */
    public record FileBill(int programs, int fromCache, double buildMs, int firstLaunches, double firstLaunchMs) {}

    public synchronized CompileBill compileBill() {
        Map<String, FileBill> by = new TreeMap<>();
        int n = 0, hits = 0;
        long build = 0;
        for (ClProgram p : programs.values()) {
            n++;
            hits += p.fromCache() ? 1 : 0;
            build += p.buildNanos();
            FileBill f = by.getOrDefault(kernelFile(p.label()), new FileBill(0, 0, 0, 0, 0));
            by.put(
                    kernelFile(p.label()),
                    new FileBill(
                            f.programs() + 1,
                            f.fromCache() + (p.fromCache() ? 1 : 0),
                            f.buildMs() + p.buildNanos() / 1e6,
                            f.firstLaunches(),
                            f.firstLaunchMs()));
        }
        int launches = 0;
        long launchNanos = 0;
        for (Map.Entry<String, long[]> e : firstLaunchByFile.entrySet()) {
            launches += (int) e.getValue()[0];
            launchNanos += e.getValue()[1];
            FileBill f = by.getOrDefault(e.getKey(), new FileBill(0, 0, 0, 0, 0));
            by.put(
                    e.getKey(),
                    new FileBill(
                            f.programs(),
                            f.fromCache(),
                            f.buildMs(),
                            f.firstLaunches() + (int) e.getValue()[0],
                            f.firstLaunchMs() + e.getValue()[1] / 1e6));
        }
        String where = cache == null
                ? "off"
                : ProgramCache.driverCompilesAtLaunch(info()) ? "edgecl, after first launch" : "edgecl";
        return new CompileBill(
                where, n, hits, build / 1e6, launches, launchNanos / 1e6, java.util.Collections.unmodifiableMap(by));
    }

    /**
     * Writes a built program's binary to the cache (ClProgram calls it once its kernels have run).
     * The queue is drained first: a driver that compiles at launch (PoCL) builds the binary from
     * the program's kernels, and is not asked to while one of them is still running.
     */
    synchronized void storeBinary(String key, ClHandle.Program handle) {
        if (cache == null || closed) return;
        cl.finish(queue);
        cache.store(key, cl.binary(handle));
    }

    /**
     * Builds a program from source. A build that fails for a reason outside the source is tried
     * once more: PoCL 3.1 failed one build in a test run of 1,345 tests with "unable to rename
     * temporary …preproc….cl.tmp … No such file or directory" (its preprocessor's file in the
     * kernel cache vanished), and the same build then passed. An error in the source fails twice.
     */
    private ClHandle.Program buildFromSource(String label, String source, String options, boolean retry) {
        ClHandle.Program handle = cl.programFromSource(context, source);
        try {
            cl.build(handle, device.device(), options);
            return handle;
        } catch (ClBuildException e) {
            cl.releaseProgram(handle);
            String log = e.buildLog() == null ? "" : e.buildLog();
            if (retry && log.contains("unable to rename temporary")) {
                Warnings.warn("the driver failed to build " + label
                        + " over a temporary file of its cache; building it again");
                return buildFromSource(label, source, options, false);
            }
            throw new ClBuildException(label, options, e.buildLog());
        }
    }

    /** Total time spent building or loading programs, and how many came from the disk cache. */
    public synchronized long programNanos() {
        long t = 0;
        for (ClProgram p : programs.values()) t += p.buildNanos();
        return t;
    }

    public synchronized int programsFromCache() {
        int n = 0;
        for (ClProgram p : programs.values()) if (p.fromCache()) n++;
        return n;
    }

    public synchronized int programCount() {
        return programs.size();
    }

    public void finish() {
        cl.finish(queue());
    }

    /**
     * Closes every session still open over this context, then releases the programs, the queue
     * and the context. Using any of them afterwards throws {@link IllegalStateException}.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        AutoCloseable[] open;
        synchronized (dependents) {
            open = dependents.toArray(new AutoCloseable[0]);
            dependents.clear();
        }
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        try {
            cl.finish(queue);
        } catch (ClException ignored) {
            // closing anyway
        }
        if (placeholder != null) placeholder.close();
        for (ClProgram p : programs.values()) cl.releaseProgram(p.handle());
        programs.clear();
        cl.releaseQueue(queue);
        cl.releaseContext(context);
        closed = true;
    }
}
