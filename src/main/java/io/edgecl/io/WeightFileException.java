package io.edgecl.io;

import io.edgecl.EdgeClException;

/** A weights file that is missing, unreadable, malformed or of an unsupported kind. */
public class WeightFileException extends EdgeClException {
    public WeightFileException(String message) {
        super(message);
    }

    public WeightFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
