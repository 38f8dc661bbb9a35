package io.edgecl;

/**
 * Base of every error EdgeCL reports to a user. The message must say what is wrong and,
 * where it can, what to do about it; the CLI prints it as one line and exits with {@link #exitCode()}.
 */
public class EdgeClException extends RuntimeException {
    private final int exitCode;

    public EdgeClException(String message) {
        this(message, null, 2);
    }

    public EdgeClException(String message, Throwable cause) {
        this(message, cause, 2);
    }

    protected EdgeClException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Process exit code the CLI uses for this error (2 for bad input or environment). */
    public int exitCode() {
        return exitCode;
    }
}
