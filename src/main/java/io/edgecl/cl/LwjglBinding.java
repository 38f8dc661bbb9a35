package io.edgecl.cl;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL10;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.system.Pointer;

/**
 * {@link ClBinding} over LWJGL 3 (org.lwjgl.opencl): natives for arm32 boards too, and access to
 * OpenCL 2.1+ and vendor entry points. Handles are {@code Long} pointers.
 */
final class LwjglBinding implements ClBinding {
    /** Property LWJGL reads for the library name; distributions often ship only libOpenCL.so.1. */
    static final String LIBNAME_PROPERTY = "org.lwjgl.opencl.libname";

    private static boolean opened;

    LwjglBinding() {
        synchronized (LwjglBinding.class) {
            if (!opened) {
                // Without explicit init, LWJGL's CL class would open libOpenCL.so in its static initializer.
                Configuration.OPENCL_EXPLICIT_INIT.set(true);
                open();
                opened = true;
            }
        }
    }

    /**
     * Opens the library: LWJGL's own property when the user set it, else the first file of
     * {@link OpenClLibrary}'s search that loads (LWJGL alone would ask for {@code libOpenCL.so}).
     */
    private static void open() {
        String user = System.getProperty(LIBNAME_PROPERTY);
        if (user != null && !user.isBlank()) {
            try {
                org.lwjgl.opencl.CL.create(user);
            } catch (LinkageError | IllegalStateException e) {
                throw OpenClLibraryException.startFailed(
                        "lwjgl", "-D" + LIBNAME_PROPERTY + "=" + user + ": " + e.getMessage(), e);
            }
            OpenClLibrary.recordLoaded("lwjgl", user);
            return;
        }
        String path = OpenClLibrary.load("lwjgl", p -> {
            try {
                org.lwjgl.opencl.CL.create(p);
                return null;
            } catch (LinkageError | IllegalStateException e) {
                return String.valueOf(e.getMessage());
            }
        });
        OpenClLibrary.recordLoaded("lwjgl", path);
    }

    /** The library LWJGL opened. */
    @Override
    public String library() {
        return OpenClLibrary.loaded("lwjgl");
    }

    @Override
    public String name() {
        return "lwjgl";
    }

    @Override
    public List<ClHandle.Platform> platforms() {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer n = s.mallocInt(1);
            int rc = CL10.clGetPlatformIDs(null, n);
            if (rc == ClConst.PLATFORM_NOT_FOUND_KHR || (rc == ClConst.SUCCESS && n.get(0) == 0)) {
                throw new NoOpenClException("the ICD loader lists no platform", null);
            }
            ClException.check("clGetPlatformIDs", rc);
            PointerBuffer ids = s.mallocPointer(n.get(0));
            ClException.check("clGetPlatformIDs", CL10.clGetPlatformIDs(ids, (IntBuffer) null));
            List<ClHandle.Platform> out = new ArrayList<>();
            for (int i = 0; i < ids.capacity(); i++) out.add(new ClHandle.Platform(ids.get(i)));
            return out;
        }
    }

    @Override
    public String platformString(ClHandle.Platform platform, int param) {
        return infoString(
                "clGetPlatformInfo", (buf, size) -> CL10.clGetPlatformInfo((Long) platform.raw(), param, buf, size));
    }

    @Override
    public List<ClHandle.Device> devices(ClHandle.Platform platform) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer n = s.mallocInt(1);
            int rc = CL10.clGetDeviceIDs((Long) platform.raw(), ClConst.DEVICE_TYPE_ALL, null, n);
            if (rc == ClConst.DEVICE_NOT_FOUND) return new ArrayList<>();
            ClException.check("clGetDeviceIDs", rc);
            PointerBuffer ids = s.mallocPointer(n.get(0));
            ClException.check(
                    "clGetDeviceIDs",
                    CL10.clGetDeviceIDs((Long) platform.raw(), ClConst.DEVICE_TYPE_ALL, ids, (IntBuffer) null));
            List<ClHandle.Device> out = new ArrayList<>();
            for (int i = 0; i < ids.capacity(); i++) out.add(new ClHandle.Device(ids.get(i)));
            return out;
        }
    }

    @Override
    public String deviceString(ClHandle.Device device, int param) {
        return infoString(
                "clGetDeviceInfo", (buf, size) -> CL10.clGetDeviceInfo((Long) device.raw(), param, buf, size));
    }

    @Override
    public long deviceLong(ClHandle.Device device, int param) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer size = s.mallocPointer(1);
            ClException.check(
                    "clGetDeviceInfo", CL10.clGetDeviceInfo((Long) device.raw(), param, (ByteBuffer) null, size));
            ByteBuffer buf = s.calloc(8);
            buf.limit((int) Math.min(8, size.get(0)));
            ClException.check("clGetDeviceInfo", CL10.clGetDeviceInfo((Long) device.raw(), param, buf, null));
            byte[] b = new byte[8];
            buf.clear();
            buf.get(b);
            return JoclBinding.littleEndian(b, (int) Math.min(8, size.get(0)));
        }
    }

    @Override
    public ClHandle.Context createContext(ClHandle.Platform platform, ClHandle.Device device) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer props = s.mallocPointer(3);
            props.put(ClConst.CONTEXT_PLATFORM)
                    .put((Long) platform.raw())
                    .put(0)
                    .flip();
            IntBuffer err = s.mallocInt(1);
            long ctx = CL10.clCreateContext(props, (Long) device.raw(), null, 0, err);
            ClException.check("clCreateContext", err.get(0));
            return new ClHandle.Context(ctx);
        }
    }

    @Override
    public ClHandle.Queue createQueue(ClHandle.Context context, ClHandle.Device device, boolean profiling) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long q = CL10.clCreateCommandQueue(
                    (Long) context.raw(), (Long) device.raw(), profiling ? ClConst.QUEUE_PROFILING_ENABLE : 0, err);
            ClException.check("clCreateCommandQueue", err.get(0));
            return new ClHandle.Queue(q);
        }
    }

    @Override
    public ClHandle.Buffer createBuffer(ClHandle.Context context, long flags, long bytes) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long m = CL10.clCreateBuffer((Long) context.raw(), flags, bytes, err);
            ClException.check("clCreateBuffer", err.get(0), bytes + " bytes");
            return new ClHandle.Buffer(m);
        }
    }

    @Override
    public void write(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src) {
        boolean copy = !src.isDirect();
        ByteBuffer d =
                copy ? MemoryUtil.memAlloc(src.remaining()).put(src.duplicate()).flip() : src;
        try {
            ClException.check(
                    "clEnqueueWriteBuffer",
                    CL10.clEnqueueWriteBuffer((Long) queue.raw(), (Long) buffer.raw(), true, offset, d, null, null));
        } finally {
            if (copy) MemoryUtil.memFree(d);
        }
    }

    @Override
    public void writeAsync(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer src) {
        ClException.check(
                "clEnqueueWriteBuffer",
                CL10.clEnqueueWriteBuffer((Long) queue.raw(), (Long) buffer.raw(), false, offset, src, null, null));
    }

    @Override
    public boolean writesAsync() {
        return true;
    }

    @Override
    public void writeFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] src) {
        ClException.check(
                "clEnqueueWriteBuffer",
                CL10.clEnqueueWriteBuffer((Long) queue.raw(), (Long) buffer.raw(), true, offset, src, null, null));
    }

    @Override
    public void readFloats(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, float[] dst) {
        ClException.check(
                "clEnqueueReadBuffer",
                CL10.clEnqueueReadBuffer((Long) queue.raw(), (Long) buffer.raw(), true, offset, dst, null, null));
    }

    @Override
    public void read(ClHandle.Queue queue, ClHandle.Buffer buffer, long offset, ByteBuffer dst) {
        if (dst.isDirect()) {
            ClException.check(
                    "clEnqueueReadBuffer",
                    CL10.clEnqueueReadBuffer((Long) queue.raw(), (Long) buffer.raw(), true, offset, dst, null, null));
            return;
        }
        ByteBuffer d = MemoryUtil.memAlloc(dst.remaining());
        try {
            ClException.check(
                    "clEnqueueReadBuffer",
                    CL10.clEnqueueReadBuffer((Long) queue.raw(), (Long) buffer.raw(), true, offset, d, null, null));
            dst.duplicate().put(d);
        } finally {
            MemoryUtil.memFree(d);
        }
    }

    @Override
    public ClHandle.Program programFromSource(ClHandle.Context context, String source) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long p = CL10.clCreateProgramWithSource((Long) context.raw(), source, err);
            ClException.check("clCreateProgramWithSource", err.get(0));
            return new ClHandle.Program(p);
        }
    }

    @Override
    public ClHandle.Program programFromBinary(ClHandle.Context context, ClHandle.Device device, byte[] binary) {
        ByteBuffer bin = MemoryUtil.memAlloc(binary.length).put(binary).flip();
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            IntBuffer status = s.mallocInt(1);
            long p = CL10.clCreateProgramWithBinary(
                    (Long) context.raw(), s.pointers((Long) device.raw()), bin, status, err);
            ClException.check("clCreateProgramWithBinary", err.get(0));
            ClException.check("clCreateProgramWithBinary (binary status)", status.get(0));
            return new ClHandle.Program(p);
        } finally {
            MemoryUtil.memFree(bin);
        }
    }

    @Override
    public void build(ClHandle.Program program, ClHandle.Device device, String options) {
        int rc = CL10.clBuildProgram((Long) program.raw(), (Long) device.raw(), options, null, 0);
        if (rc != ClConst.SUCCESS) {
            String log = infoString(
                    "clGetProgramBuildInfo",
                    (buf, size) -> CL10.clGetProgramBuildInfo(
                            (Long) program.raw(), (Long) device.raw(), ClConst.PROGRAM_BUILD_LOG, buf, size));
            if (rc == ClConst.BUILD_PROGRAM_FAILURE) throw new ClBuildException("", options, log);
            throw new ClException("clBuildProgram", rc, log);
        }
    }

    @Override
    public byte[] binary(ClHandle.Program program) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer sizes = s.mallocPointer(1);
            ClException.check(
                    "clGetProgramInfo",
                    CL10.clGetProgramInfo((Long) program.raw(), 0x1165 /* BINARY_SIZES */, sizes, null));
            int n = (int) sizes.get(0);
            ByteBuffer bin = MemoryUtil.memAlloc(n);
            try {
                PointerBuffer ptrs = s.pointers(bin);
                ClException.check(
                        "clGetProgramInfo",
                        CL10.clGetProgramInfo((Long) program.raw(), 0x1166 /* BINARIES */, ptrs, null));
                byte[] out = new byte[n];
                bin.get(out);
                return out;
            } finally {
                MemoryUtil.memFree(bin);
            }
        }
    }

    @Override
    public ClHandle.Kernel createKernel(ClHandle.Program program, String name) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer err = s.mallocInt(1);
            long k = CL10.clCreateKernel((Long) program.raw(), name, err);
            ClException.check("clCreateKernel", err.get(0), name);
            return new ClHandle.Kernel(k);
        }
    }

    @Override
    public void setArgBuffer(ClHandle.Kernel kernel, int index, ClHandle.Buffer buffer) {
        ClException.check("clSetKernelArg", CL10.clSetKernelArg1p((Long) kernel.raw(), index, (Long) buffer.raw()));
    }

    @Override
    public void setArgInt(ClHandle.Kernel kernel, int index, int value) {
        ClException.check("clSetKernelArg", CL10.clSetKernelArg1i((Long) kernel.raw(), index, value));
    }

    @Override
    public void setArgFloat(ClHandle.Kernel kernel, int index, float value) {
        ClException.check("clSetKernelArg", CL10.clSetKernelArg1f((Long) kernel.raw(), index, value));
    }

    @Override
    public void setArgLocal(ClHandle.Kernel kernel, int index, long bytes) {
        ClException.check("clSetKernelArg", CL10.clSetKernelArg((Long) kernel.raw(), index, bytes));
    }

    @Override
    public int kernelNumArgs(ClHandle.Kernel kernel) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            IntBuffer v = s.mallocInt(1);
            ClException.check(
                    "clGetKernelInfo", CL10.clGetKernelInfo((Long) kernel.raw(), CL10.CL_KERNEL_NUM_ARGS, v, null));
            return v.get(0);
        }
    }

    @Override
    public long kernelWorkGroupSize(ClHandle.Kernel kernel, ClHandle.Device device) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer v = s.mallocPointer(1);
            ClException.check(
                    "clGetKernelWorkGroupInfo",
                    CL10.clGetKernelWorkGroupInfo(
                            (Long) kernel.raw(), (Long) device.raw(), CL10.CL_KERNEL_WORK_GROUP_SIZE, v, null));
            return v.get(0);
        }
    }

    @Override
    public ClHandle.Event enqueue(
            ClHandle.Queue queue, ClHandle.Kernel kernel, long[] global, long[] local, boolean wantEvent) {
        // sizes written to the thread's stack as raw addresses: no PointerBuffer object per
        // launch (a forward allocates nothing per launch, ForwardAllocationTest)
        try (MemoryStack s = MemoryStack.stackPush()) {
            long g = sizes(s, global);
            long l = local != null ? sizes(s, local) : 0L;
            long ev = wantEvent ? s.nmalloc(Pointer.POINTER_SIZE, Pointer.POINTER_SIZE) : 0L;
            ClException.check(
                    "clEnqueueNDRangeKernel",
                    CL10.nclEnqueueNDRangeKernel(
                            (Long) queue.raw(), (Long) kernel.raw(), global.length, 0L, g, l, 0, 0L, ev));
            return wantEvent ? new ClHandle.Event(MemoryUtil.memGetAddress(ev)) : null;
        }
    }

    private static long sizes(MemoryStack s, long[] v) {
        long a = s.nmalloc(Pointer.POINTER_SIZE, v.length * Pointer.POINTER_SIZE);
        for (int i = 0; i < v.length; i++) MemoryUtil.memPutAddress(a + (long) i * Pointer.POINTER_SIZE, v[i]);
        return a;
    }

    @Override
    public void finish(ClHandle.Queue queue) {
        ClException.check("clFinish", CL10.clFinish((Long) queue.raw()));
    }

    @Override
    public void waitFor(ClHandle.Event event) {
        ClException.check("clWaitForEvents", CL10.clWaitForEvents((Long) event.raw()));
    }

    @Override
    public long eventProfiling(ClHandle.Event event, int param) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            LongBuffer v = s.mallocLong(1);
            ClException.check(
                    "clGetEventProfilingInfo", CL10.clGetEventProfilingInfo((Long) event.raw(), param, v, null));
            return v.get(0);
        }
    }

    @Override
    public void releaseEvent(ClHandle.Event event) {
        CL10.clReleaseEvent((Long) event.raw());
    }

    @Override
    public void releaseBuffer(ClHandle.Buffer buffer) {
        CL10.clReleaseMemObject((Long) buffer.raw());
    }

    @Override
    public void releaseKernel(ClHandle.Kernel kernel) {
        CL10.clReleaseKernel((Long) kernel.raw());
    }

    @Override
    public void releaseProgram(ClHandle.Program program) {
        CL10.clReleaseProgram((Long) program.raw());
    }

    @Override
    public void releaseQueue(ClHandle.Queue queue) {
        CL10.clReleaseCommandQueue((Long) queue.raw());
    }

    @Override
    public void releaseContext(ClHandle.Context context) {
        CL10.clReleaseContext((Long) context.raw());
    }

    /** A string-valued clGet*Info query: size first, then the bytes. */
    private interface InfoQuery {
        int query(ByteBuffer buf, PointerBuffer size);
    }

    private static String infoString(String call, InfoQuery q) {
        try (MemoryStack s = MemoryStack.stackPush()) {
            PointerBuffer size = s.mallocPointer(1);
            ClException.check(call, q.query(null, size));
            ByteBuffer buf = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                ClException.check(call, q.query(buf, null));
                return cString(buf);
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    private static String cString(ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.duplicate().get(b);
        return JoclBinding.cString(b);
    }
}
