package io.edgecl.cl;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A binding that runs the real one and fails chosen calls the way a driver does: the Nth call of
 * an operation (or every call from the Nth on) throws the {@link ClException} the real bindings
 * throw, with a real OpenCL error code. For checking what a fault does to a session, a plan and
 * the server; nothing is skipped on the device when a call is failed.
 */
public final class FaultyBinding implements ClBinding {
    /** The operations that can be failed, by the OpenCL call the real bindings name. */
    public enum Op {
        ALLOC("clCreateBuffer"),
        WRITE("clEnqueueWriteBuffer"),
        READ("clEnqueueReadBuffer"),
        BUILD("clBuildProgram"),
        ENQUEUE("clEnqueueNDRangeKernel"),
        FINISH("clFinish");

        final String call;

        Op(String call) {
            this.call = call;
        }
    }

    private record Fault(long from, boolean sticky, int code) {}

    private final ClBinding real;
    private final Map<Op, AtomicLong> calls = new EnumMap<>(Op.class);
    private final Map<Op, Fault> faults = new EnumMap<>(Op.class);

    public FaultyBinding(ClBinding real) {
        this.real = real;
        for (Op o : Op.values()) calls.put(o, new AtomicLong());
    }

    /** Fails the {@code nth} call of {@code op} from now on (1: the next one) with {@code code}, once. */
    public synchronized FaultyBinding failOnce(Op op, int nth, int code) {
        faults.put(op, new Fault(calls.get(op).get() + nth, false, code));
        return this;
    }

    /** Fails every call of {@code op} from the {@code nth} one on, as a lost device does. */
    public synchronized FaultyBinding failFrom(Op op, int nth, int code) {
        faults.put(op, new Fault(calls.get(op).get() + nth, true, code));
        return this;
    }

    /** Stops failing. */
    public synchronized FaultyBinding heal() {
        faults.clear();
        return this;
    }

    /** Calls of {@code op} so far. */
    public long calls(Op op) {
        return calls.get(op).get();
    }

    private void call(Op op) {
        long n = calls.get(op).incrementAndGet();
        Fault f;
        synchronized (this) {
            f = faults.get(op);
        }
        if (f != null && (n == f.from || (f.sticky && n >= f.from))) throw new ClException(op.call, f.code);
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public String library() {
        return real.library();
    }

    @Override
    public List<ClHandle.Platform> platforms() {
        return real.platforms();
    }

    @Override
    public String platformString(ClHandle.Platform platform, int param) {
        return real.platformString(platform, param);
    }

    @Override
    public List<ClHandle.Device> devices(ClHandle.Platform platform) {
        return real.devices(platform);
    }

    @Override
    public String deviceString(ClHandle.Device device, int param) {
        return real.deviceString(device, param);
    }

    @Override
    public long deviceLong(ClHandle.Device device, int param) {
        return real.deviceLong(device, param);
    }

    @Override
    public ClHandle.Context createContext(ClHandle.Platform platform, ClHandle.Device device) {
        return real.createContext(platform, device);
    }

    @Override
    public ClHandle.Queue createQueue(ClHandle.Context context, ClHandle.Device device, boolean profiling) {
        return real.createQueue(context, device, profiling);
    }

    @Override
    public ClHandle.Buffer createBuffer(ClHandle.Context context, long flags, long bytes) {
        call(Op.ALLOC);
        return real.createBuffer(context, flags, bytes);
    }

    @Override
    public boolean writesAsync() {
        return real.writesAsync();
    }

    @Override
    public void writeFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] src) {
        call(Op.WRITE);
        real.writeFloats(queue, buffer, offset, src);
    }

    @Override
    public void write(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src) {
        call(Op.WRITE);
        real.write(queue, buffer, offset, src);
    }

    @Override
    public void writeAsync(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src) {
        call(Op.WRITE);
        real.writeAsync(queue, buffer, offset, src);
    }

    @Override
    public void read(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer dst) {
        call(Op.READ);
        real.read(queue, buffer, offset, dst);
    }

    @Override
    public void readFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] dst) {
        call(Op.READ);
        real.readFloats(queue, buffer, offset, dst);
    }

    @Override
    public ClHandle.Program programFromSource(ClHandle.Context context, String source) {
        return real.programFromSource(context, source);
    }

    @Override
    public ClHandle.Program programFromBinary(ClHandle.Context context, ClHandle.Device device, byte[] binary) {
        return real.programFromBinary(context, device, binary);
    }

    @Override
    public void build(ClHandle.Program program, ClHandle.Device device, String options) {
        call(Op.BUILD);
        real.build(program, device, options);
    }

    @Override
    public byte[] binary(ClHandle.Program program) {
        return real.binary(program);
    }

    @Override
    public ClHandle.Kernel createKernel(ClHandle.Program program, String name) {
        return real.createKernel(program, name);
    }

    @Override
    public void setArgBuffer(ClHandle.Kernel kernel, int index, ClHandle.Buffer buffer) {
        real.setArgBuffer(kernel, index, buffer);
    }

    @Override
    public void setArgInt(ClHandle.Kernel kernel, int index, int value) {
        real.setArgInt(kernel, index, value);
    }

    @Override
    public void setArgFloat(ClHandle.Kernel kernel, int index, float value) {
        real.setArgFloat(kernel, index, value);
    }

    @Override
    public void setArgLocal(ClHandle.Kernel kernel, int index, long bytes) {
        real.setArgLocal(kernel, index, bytes);
    }

    @Override
    public int kernelNumArgs(ClHandle.Kernel kernel) {
        return real.kernelNumArgs(kernel);
    }

    @Override
    public long kernelWorkGroupSize(ClHandle.Kernel kernel, ClHandle.Device device) {
        return real.kernelWorkGroupSize(kernel, device);
    }

    @Override
    public ClHandle.Event enqueue(
            ClHandle.Queue queue, ClHandle.Kernel kernel, long[] global, long[] local, boolean wantEvent) {
        call(Op.ENQUEUE);
        return real.enqueue(queue, kernel, global, local, wantEvent);
    }

    @Override
    public void finish(ClHandle.Queue queue) {
        call(Op.FINISH);
        real.finish(queue);
    }

    @Override
    public void waitFor(ClHandle.Event event) {
        real.waitFor(event);
    }

    @Override
    public long eventProfiling(ClHandle.Event event, int param) {
        return real.eventProfiling(event, param);
    }

    @Override
    public void releaseEvent(ClHandle.Event event) {
        real.releaseEvent(event);
    }

    @Override
    public void releaseBuffer(ClHandle.Buffer buffer) {
        real.releaseBuffer(buffer);
    }

    @Override
    public void releaseKernel(ClHandle.Kernel kernel) {
        real.releaseKernel(kernel);
    }

    @Override
    public void releaseProgram(ClHandle.Program program) {
        real.releaseProgram(program);
    }

    @Override
    public void releaseQueue(ClHandle.Queue queue) {
        real.releaseQueue(queue);
    }

    @Override
    public void releaseContext(ClHandle.Context context) {
        real.releaseContext(context);
    }

    /** A context on the default test device through a fault-injecting binding. */
    public static ClContext context(FaultyBinding b, ClDevice d) {
        return new ClContext(new ClDevice(b, d.platform(), d.device(), d.info()));
    }
}
