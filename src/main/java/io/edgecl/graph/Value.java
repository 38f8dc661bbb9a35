package io.edgecl.graph;

import java.util.ArrayList;
import java.util.List;

/** A tensor of the block graph: NHWC activations [n, h, w, c] (pooled vectors have h = w = 1). */
public final class Value {
    final int id;
    final String name;
    final int n, h, w, c;
    Node producer;
    final List<Node> consumers = new ArrayList<>();

    Value(int id, String name, int n, int h, int w, int c) {
        this.id = id;
        this.name = name;
        this.n = n;
        this.h = h;
        this.w = w;
        this.c = c;
    }

    public String name() {
        return name;
    }

    public int n() {
        return n;
    }

    public int h() {
        return h;
    }

    public int w() {
        return w;
    }

    public int c() {
        return c;
    }

    public Shape shape() {
        return new Shape(n, h, w, c);
    }

    /** Pixels (rows of the NHWC matrix). */
    public int rows() {
        return n * h * w;
    }

    public long numel() {
        return (long) n * h * w * c;
    }

    public long bytes() {
        return 4L * numel();
    }

    public List<Node> consumers() {
        return consumers;
    }

    public Node producer() {
        return producer;
    }

    @Override
    public String toString() {
        return name + "[" + n + "," + h + "," + w + "," + c + "]";
    }
}
