package io.edgecl.cl;

/** The OpenCL constants EdgeCL uses (values from the Khronos cl.h), shared by both bindings. */
public final class ClConst {
    private ClConst() {}

    public static final int PLATFORM_PROFILE = 0x0900;
    public static final int PLATFORM_VERSION = 0x0901;
    public static final int PLATFORM_NAME = 0x0902;
    public static final int PLATFORM_VENDOR = 0x0903;

    public static final int DEVICE_TYPE = 0x1000;
    public static final int DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    public static final int DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    public static final int DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT = 0x100A;
    public static final int DEVICE_MAX_CLOCK_FREQUENCY = 0x100C;
    public static final int DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    public static final int DEVICE_IMAGE_SUPPORT = 0x1016;
    public static final int DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    public static final int DEVICE_LOCAL_MEM_SIZE = 0x1023;
    public static final int DEVICE_NAME = 0x102B;
    public static final int DEVICE_VENDOR = 0x102C;
    public static final int DRIVER_VERSION = 0x102D;
    public static final int DEVICE_VERSION = 0x102F;
    public static final int DEVICE_EXTENSIONS = 0x1030;
    public static final int DEVICE_OPENCL_C_VERSION = 0x103D;

    public static final long DEVICE_TYPE_CPU = 1L << 1;
    public static final long DEVICE_TYPE_GPU = 1L << 2;
    public static final long DEVICE_TYPE_ACCELERATOR = 1L << 3;
    public static final long DEVICE_TYPE_ALL = 0xFFFFFFFFL;

    public static final long MEM_READ_WRITE = 1L;
    public static final long MEM_READ_ONLY = 1L << 2;

    public static final long QUEUE_PROFILING_ENABLE = 1L << 1;

    public static final int PROGRAM_BUILD_LOG = 0x1183;

    public static final int PROFILING_COMMAND_QUEUED = 0x1280;
    public static final int PROFILING_COMMAND_SUBMIT = 0x1281;
    public static final int PROFILING_COMMAND_START = 0x1282;
    public static final int PROFILING_COMMAND_END = 0x1283;

    public static final int CONTEXT_PLATFORM = 0x1084;

    public static final int SUCCESS = 0;
    public static final int PLATFORM_NOT_FOUND_KHR = -1001;
    public static final int DEVICE_NOT_FOUND = -1;
    public static final int BUILD_PROGRAM_FAILURE = -11;
}
