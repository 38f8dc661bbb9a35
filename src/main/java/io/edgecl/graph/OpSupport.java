package io.edgecl.graph;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small helpers the op records share. */
final class OpSupport {
    private OpSupport() {}

    static List<HostTensor> nonNull(HostTensor... ts) {
        ArrayList<HostTensor> out = new ArrayList<>();
        for (HostTensor t : ts) if (t != null) out.add(t);
        return out;
    }

    static float[] data(HostTensor t) {
        return t == null ? null : t.data();
    }

    static String squeeze1(OnnxNodes e, String x) {
        return e.node("Squeeze", List.of(x, e.ints(1)), List.of(e.tmp()));
    }

    // ---- shape checks for OpSpec#outputShape

    /** Reports {@code what} as a {@link ShapeException} unless {@code ok}. */
    static void require(boolean ok, String what) {
        if (!ok) throw new ShapeException(what);
    }

    /** Exactly {@code count} inputs. */
    static void inputs(List<Shape> in, int count) {
        require(in.size() == count, "takes " + count + (count == 1 ? " input" : " inputs") + ", got " + in.size());
    }

    /** {@code t} (when present) holds one value per channel of {@code c}. */
    static void perChannel(HostTensor t, String name, int c) {
        require(
                t == null || t.numel() == c,
                name + " has " + (t == null ? 0 : t.numel()) + " values for " + c + " channels");
    }

    /** {@code t} has shape {@code dims}, where -1 matches any size. */
    static void dims(HostTensor t, String name, int... dims) {
        int[] s = t.shape();
        boolean ok = s.length == dims.length;
        for (int i = 0; ok && i < dims.length; i++) ok = dims[i] < 0 || dims[i] == s[i];
        require(
                ok,
                name + " is " + Arrays.toString(s) + ", expected "
                        + Arrays.toString(dims).replace("-1", "*"));
    }

    /** Input {@code i} has the shape {@code expected}. */
    static void shapeOf(List<Shape> in, int i, Shape expected, String what) {
        require(in.get(i).equals(expected), what + " (input " + i + ") is " + in.get(i) + ", expected " + expected);
    }

    /** The channels C of an attention op's qkv input [.., 3C], whose C must split into {@code heads}. */
    static int qkvChannels(Shape x, int heads) {
        int c = x.c() / 3;
        require(
                x.c() % 3 == 0 && c % heads == 0,
                "the qkv input's " + x.c() + " channels are not 3 x " + heads + " heads");
        return c;
    }

    /** The one input's shape of a one-input op. */
    static Shape single(List<Shape> in) {
        inputs(in, 1);
        return in.get(0);
    }

    /** A one-input op that keeps its input's shape, with two per-channel parameter tensors. */
    static Shape channelwise(List<Shape> in, HostTensor a, String aName, HostTensor b, String bName) {
        Shape x = single(in);
        perChannel(a, aName, x.c());
        perChannel(b, bName, x.c());
        return x;
    }
}
