package io.edgecl.api;

/**
 * What one input shape of a session costs on its device: kernel launches per forward, weight
 * bytes (shared by every shape of the session), activation bytes of this shape's plan, what the
 * activations would take without buffer reuse, and multiply-accumulates per forward.
 */
public record Footprint(int launches, long weightBytes, long activationBytes, long allActivationsBytes, long macs) {
    /** Weights plus activations: the device memory this shape needs. */
    public long peakBytes() {
        return weightBytes + activationBytes;
    }
}
