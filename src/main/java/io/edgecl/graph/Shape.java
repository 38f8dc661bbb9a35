package io.edgecl.graph;

/** The shape of an NHWC activation: [n, h, w, c] (pooled vectors have h = w = 1). */
public record Shape(int n, int h, int w, int c) {
    @Override
    public String toString() {
        return "[" + n + "," + h + "," + w + "," + c + "]";
    }
}
