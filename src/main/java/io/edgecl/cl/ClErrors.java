package io.edgecl.cl;

import java.util.HashMap;
import java.util.Map;

/** Symbolic names of OpenCL error codes, so errors read CL_OUT_OF_RESOURCES rather than -5. */
public final class ClErrors {
    private static final Map<Integer, String> NAMES = new HashMap<>();

    static {
        NAMES.put(0, "CL_SUCCESS");
        NAMES.put(-1, "CL_DEVICE_NOT_FOUND");
        NAMES.put(-2, "CL_DEVICE_NOT_AVAILABLE");
        NAMES.put(-3, "CL_COMPILER_NOT_AVAILABLE");
        NAMES.put(-4, "CL_MEM_OBJECT_ALLOCATION_FAILURE");
        NAMES.put(-5, "CL_OUT_OF_RESOURCES");
        NAMES.put(-6, "CL_OUT_OF_HOST_MEMORY");
        NAMES.put(-7, "CL_PROFILING_INFO_NOT_AVAILABLE");
        NAMES.put(-8, "CL_MEM_COPY_OVERLAP");
        NAMES.put(-9, "CL_IMAGE_FORMAT_MISMATCH");
        NAMES.put(-10, "CL_IMAGE_FORMAT_NOT_SUPPORTED");
        NAMES.put(-11, "CL_BUILD_PROGRAM_FAILURE");
        NAMES.put(-12, "CL_MAP_FAILURE");
        NAMES.put(-13, "CL_MISALIGNED_SUB_BUFFER_OFFSET");
        NAMES.put(-14, "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST");
        NAMES.put(-15, "CL_COMPILE_PROGRAM_FAILURE");
        NAMES.put(-16, "CL_LINKER_NOT_AVAILABLE");
        NAMES.put(-17, "CL_LINK_PROGRAM_FAILURE");
        NAMES.put(-18, "CL_DEVICE_PARTITION_FAILED");
        NAMES.put(-19, "CL_KERNEL_ARG_INFO_NOT_AVAILABLE");
        NAMES.put(-30, "CL_INVALID_VALUE");
        NAMES.put(-31, "CL_INVALID_DEVICE_TYPE");
        NAMES.put(-32, "CL_INVALID_PLATFORM");
        NAMES.put(-33, "CL_INVALID_DEVICE");
        NAMES.put(-34, "CL_INVALID_CONTEXT");
        NAMES.put(-35, "CL_INVALID_QUEUE_PROPERTIES");
        NAMES.put(-36, "CL_INVALID_COMMAND_QUEUE");
        NAMES.put(-37, "CL_INVALID_HOST_PTR");
        NAMES.put(-38, "CL_INVALID_MEM_OBJECT");
        NAMES.put(-39, "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR");
        NAMES.put(-40, "CL_INVALID_IMAGE_SIZE");
        NAMES.put(-41, "CL_INVALID_SAMPLER");
        NAMES.put(-42, "CL_INVALID_BINARY");
        NAMES.put(-43, "CL_INVALID_BUILD_OPTIONS");
        NAMES.put(-44, "CL_INVALID_PROGRAM");
        NAMES.put(-45, "CL_INVALID_PROGRAM_EXECUTABLE");
        NAMES.put(-46, "CL_INVALID_KERNEL_NAME");
        NAMES.put(-47, "CL_INVALID_KERNEL_DEFINITION");
        NAMES.put(-48, "CL_INVALID_KERNEL");
        NAMES.put(-49, "CL_INVALID_ARG_INDEX");
        NAMES.put(-50, "CL_INVALID_ARG_VALUE");
        NAMES.put(-51, "CL_INVALID_ARG_SIZE");
        NAMES.put(-52, "CL_INVALID_KERNEL_ARGS");
        NAMES.put(-53, "CL_INVALID_WORK_DIMENSION");
        NAMES.put(-54, "CL_INVALID_WORK_GROUP_SIZE");
        NAMES.put(-55, "CL_INVALID_WORK_ITEM_SIZE");
        NAMES.put(-56, "CL_INVALID_GLOBAL_OFFSET");
        NAMES.put(-57, "CL_INVALID_EVENT_WAIT_LIST");
        NAMES.put(-58, "CL_INVALID_EVENT");
        NAMES.put(-59, "CL_INVALID_OPERATION");
        NAMES.put(-60, "CL_INVALID_GL_OBJECT");
        NAMES.put(-61, "CL_INVALID_BUFFER_SIZE");
        NAMES.put(-62, "CL_INVALID_MIP_LEVEL");
        NAMES.put(-63, "CL_INVALID_GLOBAL_WORK_SIZE");
        NAMES.put(-64, "CL_INVALID_PROPERTY");
        NAMES.put(-65, "CL_INVALID_IMAGE_DESCRIPTOR");
        NAMES.put(-66, "CL_INVALID_COMPILER_OPTIONS");
        NAMES.put(-67, "CL_INVALID_LINKER_OPTIONS");
        NAMES.put(-68, "CL_INVALID_DEVICE_PARTITION_COUNT");
        NAMES.put(-1001, "CL_PLATFORM_NOT_FOUND_KHR");
    }

    private ClErrors() {}

    public static String name(int code) {
        return NAMES.getOrDefault(code, "CL_UNKNOWN_ERROR");
    }
}
