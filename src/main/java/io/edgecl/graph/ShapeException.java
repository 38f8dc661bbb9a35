package io.edgecl.graph;

import io.edgecl.EdgeClException;

/**
 * An op's inputs do not fit it (input count, channels, a window larger than its input): what
 * {@link OpSpec#outputShape} reports, and {@link Graph#add} with the node's name.
 */
public final class ShapeException extends EdgeClException {
    public ShapeException(String message) {
        super(message);
    }
}
