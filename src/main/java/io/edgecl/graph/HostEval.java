package io.edgecl.graph;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph (fused or not) on the host in double precision through each op's
 * {@link OpSpec#reference}: a check of model builders and kernels that shares no code with the
 * device path. Slow; meant for tests and small inputs.
 */
public final class HostEval {
    private HostEval() {}

    /** Runs {@code g} on an NCHW input; returns each output in NCHW ([n, c] for pooled vectors). */
    public static Map<String, HostTensor> run(Graph g, HostTensor nchw) {
        Map<Value, double[]> vals = new IdentityHashMap<>();
        Value in = g.input();
        vals.put(in, toNhwc(nchw, in));
        for (Node node : g.nodes()) {
            List<double[]> args = new ArrayList<>();
            for (Value v : node.inputs) args.add(vals.get(v));
            double[] y = node.op.reference(node.inputs, args, node.output);
            if (y.length != node.output.numel()) {
                throw new IllegalStateException(node + ": reference gave " + y.length + " values for " + node.output);
            }
            vals.put(node.output, y);
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : g.outputs().entrySet()) {
            out.put(e.getKey(), toNchw(vals.get(e.getValue()), e.getValue()));
        }
        return out;
    }

    static double[] toNhwc(HostTensor t, Value v) {
        int n = v.n, h = v.h, w = v.w, c = v.c;
        double[] d = new double[n * h * w * c];
        float[] s = t.data();
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < h * w; p++) d[(b * h * w + p) * c + ch] = s[(b * c + ch) * h * w + p];
        return d;
    }

    static HostTensor toNchw(double[] d, Value v) {
        int n = v.n, h = v.h, w = v.w, c = v.c;
        float[] s = new float[d.length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < h * w; p++) s[(b * c + ch) * h * w + p] = (float) d[(b * h * w + p) * c + ch];
        return h == 1 && w == 1 ? new HostTensor(new int[] {n, c}, s) : new HostTensor(new int[] {n, c, h, w}, s);
    }
}
