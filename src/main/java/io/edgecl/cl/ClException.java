package io.edgecl.cl;

import io.edgecl.EdgeClException;

/** An OpenCL call returned an error: carries the call, the numeric code and its symbolic name. */
public class ClException extends EdgeClException {
    private final int code;
    private final String call;

    public ClException(String call, int code) {
        this(call, code, "");
    }

    public ClException(String call, int code, String detail) {
        super("OpenCL " + call + " failed: " + ClErrors.name(code) + " (" + code + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.code = code;
        this.call = call;
    }

    protected ClException(String message, String call, int code) {
        super(message);
        this.code = code;
        this.call = call;
    }

    public int code() {
        return code;
    }

    public String call() {
        return call;
    }

    public String codeName() {
        return ClErrors.name(code);
    }

    /** Throws when {@code code} is not CL_SUCCESS. */
    public static void check(String call, int code) {
        if (code != ClConst.SUCCESS) {
            throw new ClException(call, code);
        }
    }

    /** Throws when {@code code} is not CL_SUCCESS, adding what was being done. */
    public static void check(String call, int code, String detail) {
        if (code != ClConst.SUCCESS) {
            throw new ClException(call, code, detail);
        }
    }
}
