package io.edgecl.cl;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The OpenCL calls EdgeCL needs, behind one small interface so the Java binding can be swapped
 * (JOCL by default; LWJGL for boards JOCL ships no natives for, or for OpenCL 2.1+ extensions).
 * Handles are typed ({@link ClHandle}) and owned by the implementation; every failing call throws
 * {@link ClException} naming the call and the error code.
 */
public interface ClBinding {
    /** "jocl" or "lwjgl". */
    String name();

    /** The OpenCL library file this binding opened. */
    String library();

    List<ClHandle.Platform> platforms();

    String platformString(ClHandle.Platform platform, int param);

    List<ClHandle.Device> devices(ClHandle.Platform platform);

    String deviceString(ClHandle.Device device, int param);

    long deviceLong(ClHandle.Device device, int param);

    ClHandle.Context createContext(ClHandle.Platform platform, ClHandle.Device device);

    ClHandle.Queue createQueue(ClHandle.Context context, ClHandle.Device device, boolean profiling);

    ClHandle.Buffer createBuffer(ClHandle.Context context, long flags, long bytes);

    /** Blocking copy of {@code src}'s remaining bytes (a direct or heap buffer) to the buffer at {@code offset}. */
    void write(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src);

    /**
     * Enqueues a copy of {@code src}'s remaining bytes (a direct buffer, left unchanged by the
     * caller until the queue finishes) to the buffer at {@code offset}, without waiting where the
     * binding can do so on the calling thread alone (else it waits, as {@link #write} does).
     */
    void writeAsync(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src);

    /** Whether {@link #writeAsync} returns without waiting for the copy. */
    boolean writesAsync();

    /** Blocking copy from the buffer at {@code offset} into {@code dst}'s remaining bytes. */
    void read(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer dst);

    /**
     * Blocking copy of {@code dst.length} floats from the buffer at byte {@code offset} straight
     * into a Java array: one copy of a large output instead of two through a staging buffer.
     */
    void readFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] dst);

    /**
     * Blocking copy of all of {@code src} into the buffer at byte {@code offset}, straight from
     * the Java array (no staging copy).
     */
    void writeFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] src);

    ClHandle.Program programFromSource(ClHandle.Context context, String source);

    ClHandle.Program programFromBinary(ClHandle.Context context, ClHandle.Device device, byte[] binary);

    /** Builds for one device; on failure throws {@link ClBuildException} with the build log. */
    void build(ClHandle.Program program, ClHandle.Device device, String options);

    byte[] binary(ClHandle.Program program);

    ClHandle.Kernel createKernel(ClHandle.Program program, String name);

    void setArgBuffer(ClHandle.Kernel kernel, int index, ClHandle.Buffer buffer);

    void setArgInt(ClHandle.Kernel kernel, int index, int value);

    void setArgFloat(ClHandle.Kernel kernel, int index, float value);

    void setArgLocal(ClHandle.Kernel kernel, int index, long bytes);

    /** CL_KERNEL_NUM_ARGS: the number of parameters the kernel declares. */
    int kernelNumArgs(ClHandle.Kernel kernel);

    /** CL_KERNEL_WORK_GROUP_SIZE: the largest work-group this compiled kernel can run with on {@code device}. */
    long kernelWorkGroupSize(ClHandle.Kernel kernel, ClHandle.Device device);

    /**
     * Enqueues an NDRange; {@code local} may be null (the driver chooses). Returns an event when
     * {@code wantEvent}, else null (no event object is created on the fast path).
     */
    ClHandle.Event enqueue(
            ClHandle.Queue queue, ClHandle.Kernel kernel, long[] global, long[] local, boolean wantEvent);

    void finish(ClHandle.Queue queue);

    void waitFor(ClHandle.Event event);

    /** CL_PROFILING_COMMAND_* timestamp in nanoseconds. */
    long eventProfiling(ClHandle.Event event, int param);

    void releaseEvent(ClHandle.Event event);

    void releaseBuffer(ClHandle.Buffer buffer);

    void releaseKernel(ClHandle.Kernel kernel);

    void releaseProgram(ClHandle.Program program);

    void releaseQueue(ClHandle.Queue queue);

    void releaseContext(ClHandle.Context context);
}
