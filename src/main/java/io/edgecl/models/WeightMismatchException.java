package io.edgecl.models;

import io.edgecl.EdgeClException;

/** The weights do not fit the model spec: lists missing and unexpected keys and shape mismatches. */
public class WeightMismatchException extends EdgeClException {
    public WeightMismatchException(String message) {
        super(message);
    }
}
