package io.edgecl.cl;

import io.edgecl.EdgeClException;

/** No OpenCL platform (or no ICD loader) on this machine: tells the user how to get one. */
public class NoOpenClException extends EdgeClException {
    public static final String INSTALL_HINT =
            "install an OpenCL driver, e.g. on Debian/Ubuntu: sudo apt-get install pocl-opencl-icd ocl-icd-libopencl1"
                    + " (CPU), or your GPU vendor's OpenCL ICD";

    public NoOpenClException(String what, Throwable cause) {
        super("no OpenCL platform found (" + what + "); " + INSTALL_HINT, cause);
    }

    /** For subclasses that compose the whole message. */
    protected NoOpenClException(String message, Throwable cause, boolean whole) {
        super(message, cause);
    }
}
