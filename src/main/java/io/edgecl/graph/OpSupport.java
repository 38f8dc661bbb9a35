package io.edgecl.graph;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
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

    static double[] addPeriodic(double[] a, float[] c) {
        double[] o = new double[a.length];
        for (int i = 0; i < o.length; i++) o[i] = a[i] + c[i % c.length];
        return o;
    }

    static String squeeze1(OnnxNodes e, String x) {
        return e.node("Squeeze", List.of(x, e.ints(1)), List.of(e.tmp()));
    }
}
