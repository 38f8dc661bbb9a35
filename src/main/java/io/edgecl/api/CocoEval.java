package io.edgecl.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * COCO's box evaluation as pycocotools' COCOeval computes it: per image and category,
 * detections in decreasing score (at most maxDets of them) matched greedily to the unmatched
 * ground truth of highest IoU at each threshold 0.50:0.05:0.95 (crowd boxes match many, by
 * intersection over the detection's area, and are ignored); ground truth outside an area range
 * is ignored, and so is an unmatched detection outside it; precision is made monotone and read
 * at 101 recall points. AP is the mean over thresholds and categories with ground truth.
 */
public final class CocoEval {
    /** A ground-truth box [x, y, width, height] with its COCO area and crowd flag. */
    public record Truth(long image, int category, double[] box, double area, boolean crowd) {}

    /** A detection [x, y, width, height] with its score. */
    public record Detection(long image, int category, double[] box, double score) {}

    /** The summary: AP@[.5:.95], AP@.5, AP@.75, AP small/medium/large, AR@1, AR@10, AR@100, AR small/medium/large. */
    public record Summary(
            double ap,
            double ap50,
            double ap75,
            double apSmall,
            double apMedium,
            double apLarge,
            double ar1,
            double ar10,
            double ar100,
            double arSmall,
            double arMedium,
            double arLarge,
            Map<Integer, Double> apPerCategory) {}

    /** np.linspace(.5, .95, 10) as numpy computes it (i · step + start, the last one exact). */
    private static final double[] IOU = linspace(0.5, 0.95, 10);

    private static final int R = 101;
    private static final int[] MAX_DETS = {1, 10, 100};
    private static final double[][] AREAS = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};

    /** np.linspace(0, 1, 101): the recall points. */
    private static final double[] REC = linspace(0, 1, R);

    private CocoEval() {}

    private static double[] linspace(double start, double stop, int n) {
        double[] y = new double[n];
        double step = (stop - start) / (n - 1);
        for (int i = 0; i < n; i++) y[i] = i * step + start;
        y[n - 1] = stop;
        return y;
    }

    /** Per image, category, area range: what evaluateImg keeps. */
    private record ImageResult(double[] scores, boolean[][] matched, boolean[][] ignored, int truths) {}

    public static Summary evaluate(List<Truth> truths, List<Detection> detections) {
        Map<Long, Map<Integer, List<Truth>>> gt = new HashMap<>();
        for (Truth t : truths)
            gt.computeIfAbsent(t.image(), k -> new HashMap<>())
                    .computeIfAbsent(t.category(), k -> new ArrayList<>())
                    .add(t);
        Map<Long, Map<Integer, List<Detection>>> dt = new HashMap<>();
        for (Detection d : detections)
            dt.computeIfAbsent(d.image(), k -> new HashMap<>())
                    .computeIfAbsent(d.category(), k -> new ArrayList<>())
                    .add(d);
        TreeSet<Integer> cats = new TreeSet<>();
        TreeSet<Long> images = new TreeSet<>();
        for (Truth t : truths) {
            cats.add(t.category());
            images.add(t.image());
        }
        for (Detection d : detections) {
            cats.add(d.category());
            images.add(d.image());
        }
        int T = IOU.length, K = cats.size(), A = AREAS.length, M = MAX_DETS.length;
        double[][][][][] precision = new double[T][R][K][A][M];
        double[][][][] recall = new double[T][K][A][M];
        for (double[][][][] a : precision)
            for (double[][][] b : a) for (double[][] c : b) for (double[] d : c) java.util.Arrays.fill(d, -1);
        for (double[][][] a : recall) for (double[][] b : a) for (double[] c : b) java.util.Arrays.fill(c, -1);
        int k = 0;
        for (int cat : cats) {
            for (int a = 0; a < A; a++) {
                List<ImageResult> per = new ArrayList<>();
                for (long img : images) {
                    List<Truth> g = gt.getOrDefault(img, Map.of()).getOrDefault(cat, List.of());
                    List<Detection> d = dt.getOrDefault(img, Map.of()).getOrDefault(cat, List.of());
                    if (g.isEmpty() && d.isEmpty()) continue;
                    per.add(evaluateImage(g, d, AREAS[a], MAX_DETS[M - 1]));
                }
                for (int m = 0; m < M; m++) accumulate(per, MAX_DETS[m], precision, recall, k, a, m);
            }
            k++;
        }
        Map<Integer, Double> perCat = new LinkedHashMap<>();
        k = 0;
        for (int cat : cats) {
            double s = 0;
            int n = 0;
            for (int t = 0; t < T; t++)
                for (int r = 0; r < R; r++) {
                    double p = precision[t][r][k][0][M - 1];
                    if (p > -1) {
                        s += p;
                        n++;
                    }
                }
            perCat.put(cat, n == 0 ? Double.NaN : s / n);
            k++;
        }
        return new Summary(
                ap(precision, -1, 0, M - 1),
                ap(precision, 0, 0, M - 1),
                ap(precision, 5, 0, M - 1),
                ap(precision, -1, 1, M - 1),
                ap(precision, -1, 2, M - 1),
                ap(precision, -1, 3, M - 1),
                ar(recall, 0, 0),
                ar(recall, 0, 1),
                ar(recall, 0, 2),
                ar(recall, 1, 2),
                ar(recall, 2, 2),
                ar(recall, 3, 2),
                perCat);
    }

    /** The mean of the precisions above -1 at threshold index t (-1: all), area a, maxDets m; -1 when none. */
    private static double ap(double[][][][][] p, int t, int a, int m) {
        double s = 0;
        int n = 0;
        for (int ti = 0; ti < IOU.length; ti++) {
            if (t >= 0 && ti != t) continue;
            for (double[][][][] r : new double[][][][][] {p[ti]})
                for (double[][][] byR : r)
                    for (double[][] byK : byR) {
                        double v = byK[a][m];
                        if (v > -1) {
                            s += v;
                            n++;
                        }
                    }
        }
        return n == 0 ? -1 : s / n;
    }

    private static double ar(double[][][][] rec, int a, int m) {
        double s = 0;
        int n = 0;
        for (double[][][] byK : rec)
            for (double[][] byA : byK) {
                double v = byA[a][m];
                if (v > -1) {
                    s += v;
                    n++;
                }
            }
        return n == 0 ? -1 : s / n;
    }

    private static double iou(double[] d, double[] g, boolean crowd) {
        double iw = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
        double ih = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
        if (iw <= 0 || ih <= 0) return 0;
        double inter = iw * ih;
        double union = crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - inter;
        return inter / union;
    }

    private static ImageResult evaluateImage(List<Truth> g0, List<Detection> d0, double[] area, int maxDet) {
        // ground truth: the ones that count first (a stable sort, as numpy's mergesort)
        List<Truth> g = new ArrayList<>(g0);
        g.sort(Comparator.comparingInt(t -> ignored(t, area) ? 1 : 0));
        List<Detection> d = new ArrayList<>(d0);
        d.sort(Comparator.comparingDouble((Detection x) -> -x.score()));
        if (d.size() > maxDet) d = d.subList(0, maxDet);
        int G = g.size(), D = d.size(), T = IOU.length;
        boolean[] gtIg = new boolean[G];
        for (int j = 0; j < G; j++) gtIg[j] = ignored(g.get(j), area);
        double[][] ious = new double[D][G];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < G; j++)
                ious[i][j] = iou(d.get(i).box(), g.get(j).box(), g.get(j).crowd());
        boolean[][] gtm = new boolean[T][G], dtm = new boolean[T][D], dtIg = new boolean[T][D];
        for (int t = 0; t < T; t++) {
            for (int i = 0; i < D; i++) {
                double best = Math.min(IOU[t], 1 - 1e-10);
                int m = -1;
                for (int j = 0; j < G; j++) {
                    if (gtm[t][j] && !g.get(j).crowd()) continue;
                    // a match to counted ground truth is not given up for an ignored one
                    if (m > -1 && !gtIg[m] && gtIg[j]) break;
                    if (ious[i][j] < best) continue;
                    best = ious[i][j];
                    m = j;
                }
                if (m == -1) continue;
                dtIg[t][i] = gtIg[m];
                dtm[t][i] = true;
                gtm[t][m] = true;
            }
        }
        for (int i = 0; i < D; i++) {
            double[] b = d.get(i).box();
            double a = b[2] * b[3];
            boolean outside = a < area[0] || a > area[1];
            for (int t = 0; t < T; t++) if (!dtm[t][i] && outside) dtIg[t][i] = true;
        }
        double[] scores = new double[D];
        for (int i = 0; i < D; i++) scores[i] = d.get(i).score();
        int counted = 0;
        for (boolean ig : gtIg) if (!ig) counted++;
        return new ImageResult(scores, dtm, dtIg, counted);
    }

    private static boolean ignored(Truth t, double[] area) {
        return t.crowd() || t.area() < area[0] || t.area() > area[1];
    }

    private static void accumulate(
            List<ImageResult> per, int maxDet, double[][][][][] precision, double[][][][] recall, int k, int a, int m) {
        int npig = 0;
        List<double[]> entries = new ArrayList<>(); // {score, image index, detection index}
        for (int e = 0; e < per.size(); e++) {
            ImageResult r = per.get(e);
            npig += r.truths();
            for (int i = 0; i < Math.min(maxDet, r.scores().length); i++)
                entries.add(new double[] {r.scores()[i], e, i});
        }
        if (npig == 0) return;
        // a stable sort by decreasing score, as numpy's mergesort on -score
        entries.sort(Comparator.comparingDouble(x -> -x[0]));
        int T = IOU.length, nd = entries.size();
        for (int t = 0; t < T; t++) {
            double[] rc = new double[nd], pr = new double[nd];
            double tp = 0, fp = 0;
            for (int n = 0; n < nd; n++) {
                ImageResult r = per.get((int) entries.get(n)[1]);
                int i = (int) entries.get(n)[2];
                boolean ig = r.ignored()[t][i], hit = r.matched()[t][i];
                if (hit && !ig) tp++;
                if (!hit && !ig) fp++;
                rc[n] = tp / npig;
                pr[n] = tp / (fp + tp + Math.ulp(1.0));
            }
            recall[t][k][a][m] = nd > 0 ? rc[nd - 1] : 0;
            for (int n = nd - 1; n > 0; n--) if (pr[n] > pr[n - 1]) pr[n - 1] = pr[n];
            for (int ri = 0; ri < R; ri++) {
                double thr = REC[ri];
                // numpy's searchsorted(rc, thr, side='left'): the first n with rc[n] >= thr
                int lo = 0, hi = nd;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (rc[mid] < thr) lo = mid + 1;
                    else hi = mid;
                }
                precision[t][ri][k][a][m] = lo < nd ? pr[lo] : 0;
            }
        }
    }
}
