package io.edgecl.cl;

/** A kernel program failed to compile: the message carries the device's build log. */
public class ClBuildException extends ClException {
    private final String log;

    public ClBuildException(String what, String options, String log) {
        super(
                "OpenCL program " + what + " failed to build (options: " + options + "):\n" + log,
                "clBuildProgram",
                ClConst.BUILD_PROGRAM_FAILURE);
        this.log = log;
    }

    public String buildLog() {
        return log;
    }
}
