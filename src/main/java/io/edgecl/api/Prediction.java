package io.edgecl.api;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/** One class of a top-k answer: index, softmax probability and raw logit. */
public record Prediction(int index, double probability, float logit) {

    /** A top-k answer as JSON-ready objects (index, label, probability, logit), as classify and serve print it. */
    public static List<Map<String, Object>> toMaps(List<Prediction> top, IntFunction<String> label) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Prediction p : top) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("index", p.index());
            t.put("label", label.apply(p.index()));
            t.put("probability", p.probability());
            t.put("logit", p.logit());
            out.add(t);
        }
        return out;
    }

    /** Top-k per row of [N, classes] logits, highest first. */
    public static List<List<Prediction>> topk(HostTensor logits, int k) {
        int n = logits.dim(0), c = logits.dim(1);
        float[] x = logits.data();
        List<List<Prediction>> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            int off = b * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < c; i++) max = Math.max(max, x[off + i]);
            double sum = 0;
            for (int i = 0; i < c; i++) sum += Math.exp(x[off + i] - max);
            int kk = Math.min(k, c);
            int[] best = new int[kk];
            boolean[] taken = new boolean[c];
            for (int r = 0; r < kk; r++) {
                int bi = -1;
                for (int i = 0; i < c; i++) {
                    if (!taken[i] && (bi < 0 || x[off + i] > x[off + bi])) bi = i;
                }
                taken[bi] = true;
                best[r] = bi;
            }
            List<Prediction> row = new ArrayList<>();
            for (int i : best) row.add(new Prediction(i, Math.exp(x[off + i] - max) / sum, x[off + i]));
            out.add(row);
        }
        return out;
    }
}
