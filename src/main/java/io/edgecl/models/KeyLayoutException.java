package io.edgecl.models;

import io.edgecl.EdgeClException;

/** Tensor names that cannot be mapped onto the names a model expects. */
public class KeyLayoutException extends EdgeClException {
    public KeyLayoutException(String message) {
        super(message);
    }
}
