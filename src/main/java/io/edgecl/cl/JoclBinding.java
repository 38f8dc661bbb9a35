package io.edgecl.cl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/** {@link ClBinding} over JOCL (org.jocl), which ships natives for linux x86_64 and arm64. */
final class JoclBinding implements ClBinding {
    private static final int PROGRAM_BINARY_SIZES = 0x1165;
    private static final int PROGRAM_BINARIES = 0x1166;

    JoclBinding() {
        try {
            // The first touch of CL loads JOCL's JNI library, then the OpenCL library (see org.jocl.LibInitializer).
            CL.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            String searched = OpenClLibrary.failure("jocl");
            if (searched != null) throw new OpenClLibraryException("jocl", searched, e);
            throw OpenClLibraryException.startFailed("jocl", String.valueOf(e.getMessage()), e);
        }
    }

    /** The library JOCL opened: the search's choice, or JOCL's own default when its initializer ran instead. */
    @Override
    public String library() {
        String p = OpenClLibrary.loaded("jocl");
        return p != null ? p : "libOpenCL.so";
    }

    @Override
    public String name() {
        return "jocl";
    }

    @Override
    public List<ClHandle.Platform> platforms() {
        int[] n = new int[1];
        int rc = CL.clGetPlatformIDs(0, null, n);
        if (rc == ClConst.PLATFORM_NOT_FOUND_KHR || (rc == ClConst.SUCCESS && n[0] == 0)) {
            throw new NoOpenClException("the ICD loader lists no platform", null);
        }
        ClException.check("clGetPlatformIDs", rc);
        cl_platform_id[] ids = new cl_platform_id[n[0]];
        ClException.check("clGetPlatformIDs", CL.clGetPlatformIDs(n[0], ids, null));
        List<ClHandle.Platform> out = new ArrayList<>();
        for (cl_platform_id id : ids) out.add(new ClHandle.Platform(id));
        return out;
    }

    @Override
    public String platformString(ClHandle.Platform platform, int param) {
        return infoString(
                "clGetPlatformInfo",
                (size, ptr, ret) -> CL.clGetPlatformInfo((cl_platform_id) platform.raw(), param, size, ptr, ret));
    }

    @Override
    public List<ClHandle.Device> devices(ClHandle.Platform platform) {
        int[] n = new int[1];
        int rc = CL.clGetDeviceIDs((cl_platform_id) platform.raw(), ClConst.DEVICE_TYPE_ALL, 0, null, n);
        if (rc == ClConst.DEVICE_NOT_FOUND) {
            return new ArrayList<>();
        }
        ClException.check("clGetDeviceIDs", rc);
        cl_device_id[] ids = new cl_device_id[n[0]];
        ClException.check(
                "clGetDeviceIDs",
                CL.clGetDeviceIDs((cl_platform_id) platform.raw(), ClConst.DEVICE_TYPE_ALL, n[0], ids, null));
        List<ClHandle.Device> out = new ArrayList<>();
        for (cl_device_id id : ids) out.add(new ClHandle.Device(id));
        return out;
    }

    @Override
    public String deviceString(ClHandle.Device device, int param) {
        return infoString(
                "clGetDeviceInfo",
                (size, ptr, ret) -> CL.clGetDeviceInfo((cl_device_id) device.raw(), param, size, ptr, ret));
    }

    @Override
    public long deviceLong(ClHandle.Device device, int param) {
        long[] size = new long[1];
        ClException.check("clGetDeviceInfo", CL.clGetDeviceInfo((cl_device_id) device.raw(), param, 0, null, size));
        byte[] buf = new byte[8];
        ClException.check(
                "clGetDeviceInfo",
                CL.clGetDeviceInfo((cl_device_id) device.raw(), param, Math.min(8, size[0]), Pointer.to(buf), null));
        return littleEndian(buf, (int) Math.min(8, size[0]));
    }

    @Override
    public ClHandle.Context createContext(ClHandle.Platform platform, ClHandle.Device device) {
        cl_context_properties props = new cl_context_properties();
        props.addProperty(ClConst.CONTEXT_PLATFORM, (cl_platform_id) platform.raw());
        int[] err = new int[1];
        cl_context ctx =
                CL.clCreateContext(props, 1, new cl_device_id[] {(cl_device_id) device.raw()}, null, null, err);
        ClException.check("clCreateContext", err[0]);
        return new ClHandle.Context(ctx);
    }

    @Override
    @SuppressWarnings("deprecation")
    public ClHandle.Queue createQueue(ClHandle.Context context, ClHandle.Device device, boolean profiling) {
        int[] err = new int[1];
        cl_command_queue q = CL.clCreateCommandQueue(
                (cl_context) context.raw(),
                (cl_device_id) device.raw(),
                profiling ? ClConst.QUEUE_PROFILING_ENABLE : 0,
                err);
        ClException.check("clCreateCommandQueue", err[0]);
        return new ClHandle.Queue(q);
    }

    @Override
    public ClHandle.Buffer createBuffer(ClHandle.Context context, long flags, long bytes) {
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer((cl_context) context.raw(), flags, bytes, null, err);
        ClException.check("clCreateBuffer", err[0], bytes + " bytes");
        return new ClHandle.Buffer(m);
    }

    @Override
    public void write(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src) {
        ByteBuffer d = direct(src);
        ClException.check(
                "clEnqueueWriteBuffer",
                CL.clEnqueueWriteBuffer(
                        (cl_command_queue) queue.raw(),
                        (cl_mem) buffer.raw(),
                        true,
                        offset,
                        d.remaining(),
                        Pointer.to(d),
                        0,
                        null,
                        null));
    }

    /**
     * Blocking here: for a non-blocking write JOCL creates an event and waits for it on a thread
     * of its own, which then calls into the driver while this thread enqueues (Oclgrind crashed on
     * it, and PoCL is not safe from it either).
     */
    @Override
    public void writeAsync(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src) {
        write(queue, buffer, offset, src);
    }

    @Override
    public boolean writesAsync() {
        return false;
    }

    @Override
    public void readFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] dst) {
        // a blocking read into an array: JOCL pins it for the call, so the driver copies into it once
        ClException.check(
                "clEnqueueReadBuffer",
                CL.clEnqueueReadBuffer(
                        (cl_command_queue) queue.raw(),
                        (cl_mem) buffer.raw(),
                        true,
                        offset,
                        4L * dst.length,
                        Pointer.to(dst),
                        0,
                        null,
                        null));
    }

    @Override
    public void writeFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] src) {
        ClException.check(
                "clEnqueueWriteBuffer",
                CL.clEnqueueWriteBuffer(
                        (cl_command_queue) queue.raw(),
                        (cl_mem) buffer.raw(),
                        true,
                        offset,
                        4L * src.length,
                        Pointer.to(src),
                        0,
                        null,
                        null));
    }

    @Override
    public void read(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer dst) {
        if (dst.isDirect()) {
            ByteBuffer d = dst.slice();
            ClException.check(
                    "clEnqueueReadBuffer",
                    CL.clEnqueueReadBuffer(
                            (cl_command_queue) queue.raw(),
                            (cl_mem) buffer.raw(),
                            true,
                            offset,
                            d.remaining(),
                            Pointer.to(d),
                            0,
                            null,
                            null));
        } else {
            ByteBuffer d = ByteBuffer.allocateDirect(dst.remaining());
            ClException.check(
                    "clEnqueueReadBuffer",
                    CL.clEnqueueReadBuffer(
                            (cl_command_queue) queue.raw(),
                            (cl_mem) buffer.raw(),
                            true,
                            offset,
                            d.remaining(),
                            Pointer.to(d),
                            0,
                            null,
                            null));
            dst.duplicate().put(d);
        }
    }

    @Override
    public ClHandle.Program programFromSource(ClHandle.Context context, String source) {
        int[] err = new int[1];
        cl_program p = CL.clCreateProgramWithSource((cl_context) context.raw(), 1, new String[] {source}, null, err);
        ClException.check("clCreateProgramWithSource", err[0]);
        return new ClHandle.Program(p);
    }

    @Override
    public ClHandle.Program programFromBinary(ClHandle.Context context, ClHandle.Device device, byte[] binary) {
        int[] err = new int[1];
        int[] status = new int[1];
        cl_program p = CL.clCreateProgramWithBinary(
                (cl_context) context.raw(),
                1,
                new cl_device_id[] {(cl_device_id) device.raw()},
                new long[] {binary.length},
                new byte[][] {binary},
                status,
                err);
        ClException.check("clCreateProgramWithBinary", err[0]);
        ClException.check("clCreateProgramWithBinary (binary status)", status[0]);
        return new ClHandle.Program(p);
    }

    @Override
    public void build(ClHandle.Program program, ClHandle.Device device, String options) {
        int rc = CL.clBuildProgram(
                (cl_program) program.raw(), 1, new cl_device_id[] {(cl_device_id) device.raw()}, options, null, null);
        if (rc != ClConst.SUCCESS) {
            String log = infoString(
                    "clGetProgramBuildInfo",
                    (size, ptr, ret) -> CL.clGetProgramBuildInfo(
                            (cl_program) program.raw(),
                            (cl_device_id) device.raw(),
                            ClConst.PROGRAM_BUILD_LOG,
                            size,
                            ptr,
                            ret));
            if (rc == ClConst.BUILD_PROGRAM_FAILURE) throw new ClBuildException("", options, log);
            throw new ClException("clBuildProgram", rc, log);
        }
    }

    @Override
    public byte[] binary(ClHandle.Program program) {
        long[] sizes = new long[1];
        ClException.check(
                "clGetProgramInfo",
                CL.clGetProgramInfo(
                        (cl_program) program.raw(), PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(sizes), null));
        byte[] bin = new byte[(int) sizes[0]];
        Pointer binPtr = Pointer.to(bin);
        ClException.check(
                "clGetProgramInfo",
                CL.clGetProgramInfo(
                        (cl_program) program.raw(), PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(binPtr), null));
        return bin;
    }

    @Override
    public ClHandle.Kernel createKernel(ClHandle.Program program, String name) {
        int[] err = new int[1];
        cl_kernel k = CL.clCreateKernel((cl_program) program.raw(), name, err);
        ClException.check("clCreateKernel", err[0], name);
        return new ClHandle.Kernel(k);
    }

    @Override
    public void setArgBuffer(ClHandle.Kernel kernel, int index, ClHandle.Buffer buffer) {
        ClException.check(
                "clSetKernelArg",
                CL.clSetKernelArg((cl_kernel) kernel.raw(), index, Sizeof.cl_mem, Pointer.to((cl_mem) buffer.raw())));
    }

    @Override
    public void setArgInt(ClHandle.Kernel kernel, int index, int value) {
        ClException.check(
                "clSetKernelArg",
                CL.clSetKernelArg((cl_kernel) kernel.raw(), index, Sizeof.cl_int, Pointer.to(new int[] {value})));
    }

    @Override
    public void setArgFloat(ClHandle.Kernel kernel, int index, float value) {
        ClException.check(
                "clSetKernelArg",
                CL.clSetKernelArg((cl_kernel) kernel.raw(), index, Sizeof.cl_float, Pointer.to(new float[] {value})));
    }

    @Override
    public void setArgLocal(ClHandle.Kernel kernel, int index, long bytes) {
        ClException.check("clSetKernelArg", CL.clSetKernelArg((cl_kernel) kernel.raw(), index, bytes, null));
    }

    @Override
    public int kernelNumArgs(ClHandle.Kernel kernel) {
        int[] v = new int[1];
        ClException.check(
                "clGetKernelInfo",
                CL.clGetKernelInfo(
                        (cl_kernel) kernel.raw(), CL.CL_KERNEL_NUM_ARGS, Sizeof.cl_uint, Pointer.to(v), null));
        return v[0];
    }

    @Override
    public long kernelWorkGroupSize(ClHandle.Kernel kernel, ClHandle.Device device) {
        long[] v = new long[1];
        ClException.check(
                "clGetKernelWorkGroupInfo",
                CL.clGetKernelWorkGroupInfo(
                        (cl_kernel) kernel.raw(),
                        (cl_device_id) device.raw(),
                        CL.CL_KERNEL_WORK_GROUP_SIZE,
                        Sizeof.size_t,
                        Pointer.to(v),
                        null));
        return v[0];
    }

    @Override
    public ClHandle.Event enqueue(
            ClHandle.Queue queue, ClHandle.Kernel kernel, long[] global, long[] local, boolean wantEvent) {
        cl_event ev = wantEvent ? new cl_event() : null;
        ClException.check(
                "clEnqueueNDRangeKernel",
                CL.clEnqueueNDRangeKernel(
                        (cl_command_queue) queue.raw(),
                        (cl_kernel) kernel.raw(),
                        global.length,
                        null,
                        global,
                        local,
                        0,
                        null,
                        ev));
        return ev == null ? null : new ClHandle.Event(ev);
    }

    @Override
    public void finish(ClHandle.Queue queue) {
        ClException.check("clFinish", CL.clFinish((cl_command_queue) queue.raw()));
    }

    @Override
    public void waitFor(ClHandle.Event event) {
        ClException.check("clWaitForEvents", CL.clWaitForEvents(1, new cl_event[] {(cl_event) event.raw()}));
    }

    @Override
    public long eventProfiling(ClHandle.Event event, int param) {
        long[] v = new long[1];
        ClException.check(
                "clGetEventProfilingInfo",
                CL.clGetEventProfilingInfo((cl_event) event.raw(), param, Sizeof.cl_ulong, Pointer.to(v), null));
        return v[0];
    }

    @Override
    public void releaseEvent(ClHandle.Event event) {
        CL.clReleaseEvent((cl_event) event.raw());
    }

    @Override
    public void releaseBuffer(ClHandle.Buffer buffer) {
        CL.clReleaseMemObject((cl_mem) buffer.raw());
    }

    @Override
    public void releaseKernel(ClHandle.Kernel kernel) {
        CL.clReleaseKernel((cl_kernel) kernel.raw());
    }

    @Override
    public void releaseProgram(ClHandle.Program program) {
        CL.clReleaseProgram((cl_program) program.raw());
    }

    @Override
    public void releaseQueue(ClHandle.Queue queue) {
        CL.clReleaseCommandQueue((cl_command_queue) queue.raw());
    }

    @Override
    public void releaseContext(ClHandle.Context context) {
        CL.clReleaseContext((cl_context) context.raw());
    }

    private static ByteBuffer direct(ByteBuffer b) {
        if (b.isDirect()) {
            return b.slice();
        }
        ByteBuffer d = ByteBuffer.allocateDirect(b.remaining()).order(ByteOrder.nativeOrder());
        d.put(b.duplicate()).flip();
        return d;
    }

    /** A string-valued clGet*Info query: size first, then the bytes. */
    private interface InfoQuery {
        int query(long size, Pointer value, long[] sizeRet);
    }

    private static String infoString(String call, InfoQuery q) {
        long[] size = new long[1];
        ClException.check(call, q.query(0, null, size));
        byte[] buf = new byte[(int) Math.max(1, size[0])];
        ClException.check(call, q.query(buf.length, Pointer.to(buf), null));
        return cString(buf);
    }

    static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }

    static long littleEndian(byte[] b, int n) {
        // OpenCL info values are host-endian; every platform EdgeCL targets is little-endian.
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
        return v;
    }
}
