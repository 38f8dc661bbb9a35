package io.edgecl.cl;

import io.edgecl.EdgeClException;

/** A kernel wrote past the end of a buffer: found by the guard bytes of {@link ClContext#guarded()}. */
public class BufferOverrunException extends EdgeClException {
    public BufferOverrunException(String message) {
        super(message);
    }
}
