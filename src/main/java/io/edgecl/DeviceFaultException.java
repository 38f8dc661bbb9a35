package io.edgecl;

/**
 * An OpenCL call failed while a model was being run: says what was running (a launch, with its
 * kernel, block and op; the input write; an output read; the build of a plan) and carries the
 * OpenCL call and error code of the failure. The call may be retried (a transient
 * CL_OUT_OF_RESOURCES); a session whose device is lost says so on every later call.
 */
public class DeviceFaultException extends EdgeClException {
    private final String during;
    private final String call;
    private final int code;
    private final String codeName;

    public DeviceFaultException(String during, String call, int code, String codeName, Throwable cause) {
        super(during + ": " + cause.getMessage(), cause);
        this.during = during;
        this.call = call;
        this.code = code;
        this.codeName = codeName;
    }

    /** What was running when the call failed, e.g. "launch 12 of 80, gemm_panel (stages.1, pwconv1)". */
    public String during() {
        return during;
    }

    /** The OpenCL call that failed, e.g. "clEnqueueNDRangeKernel". */
    public String call() {
        return call;
    }

    /** The OpenCL error code, e.g. -5. */
    public int code() {
        return code;
    }

    /** The error's name, e.g. "CL_OUT_OF_RESOURCES". */
    public String codeName() {
        return codeName;
    }
}
