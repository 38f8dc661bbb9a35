package io.edgecl.models;

import io.edgecl.EdgeClException;

/** A model name or configuration that cannot be built, or an input size the model cannot take. */
public class ModelSpecException extends EdgeClException {
    public ModelSpecException(String message) {
        super(message);
    }
}
