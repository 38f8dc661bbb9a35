package io.edgecl.cl;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The OpenCL calls EdgeCL needs, behind one small interface so the Java binding can be swapped
 * (JOCL by default; LWJGL for boards JOCL ships no natives for, or for OpenCL 2.1+ extensions).
 * Handles are opaque objects owned by the implementation; every failing call throws
 * {@link ClException} naming the call and the error code.
 */
public interface ClBinding {
    /** "jocl" or "lwjgl". */
    String name();

    /** The OpenCL library file this binding opened. */
    String library();

    List<Object> platforms();

    String platformString(Object platform, int param);

    List<Object> devices(Object platform);

    String deviceString(Object device, int param);

    long deviceLong(Object device, int param);

    Object createContext(Object platform, Object device);

    Object createQueue(Object context, Object device, boolean profiling);

    Object createBuffer(Object context, long flags, long bytes);

    /** Blocking copy of {@code src}'s remaining bytes (a direct or heap buffer) to the buffer at {@code offset}. */
    void write(Object queue, Object buffer, long offset, ByteBuffer src);

    /** Blocking copy from the buffer at {@code offset} into {@code dst}'s remaining bytes. */
    void read(Object queue, Object buffer, long offset, ByteBuffer dst);

    Object programFromSource(Object context, String source);

    Object programFromBinary(Object context, Object device, byte[] binary);

    /** Builds for one device; on failure throws {@link ClBuildException} with the build log. */
    void build(Object program, Object device, String options);

    byte[] binary(Object program);

    Object createKernel(Object program, String name);

    void setArgBuffer(Object kernel, int index, Object buffer);

    void setArgInt(Object kernel, int index, int value);

    void setArgFloat(Object kernel, int index, float value);

    void setArgLocal(Object kernel, int index, long bytes);

    /** CL_KERNEL_NUM_ARGS: the number of parameters the kernel declares. */
    int kernelNumArgs(Object kernel);

    /**
     * Enqueues an NDRange; {@code local} may be null (the driver chooses). Returns an event when
     * {@code wantEvent}, else null (no event object is created on the fast path).
     */
    Object enqueue(Object queue, Object kernel, long[] global, long[] local, boolean wantEvent);

    void finish(Object queue);

    void waitFor(Object event);

    /** CL_PROFILING_COMMAND_* timestamp in nanoseconds. */
    long eventProfiling(Object event, int param);

    void releaseEvent(Object event);

    void releaseBuffer(Object buffer);

    void releaseKernel(Object kernel);

    void releaseProgram(Object program);

    void releaseQueue(Object queue);

    void releaseContext(Object context);
}
