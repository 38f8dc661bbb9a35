package io.edgecl.io.image;

import io.edgecl.EdgeClException;

/** An image file that is missing, unreadable, corrupt, or of a kind EdgeCL cannot decode. */
public class ImageException extends EdgeClException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
