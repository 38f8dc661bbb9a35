package io.edgecl.models;

import io.edgecl.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * An SSD after the head, on the host, as torchvision's or ml-cvnets' post-processing does it:
 * softmax, per class the scores above a threshold and the best top-k of them, class-wise NMS, the
 * best detections per image, and the boxes mapped back to the image. They differ in the anchors
 * and the decoding:
 *
 * <ul>
 *   <li>torchvision: the DefaultBoxGenerator's anchors (aspect ratios [2, 3] at six levels,
 *       scales from 0.2 to 0.95, clipped) as corners in input pixels, BoxCoder(10, 10, 5, 5)
 *       decoding, boxes clipped to the input before NMS and scaled to the image after;
 *   <li>ml-cvnets: SSDAnchorGenerator's anchors in centre form normalised to [0, 1]
 *       ({@link #cvnetsAnchors}), decoded with centre and size variances (0.1, 0.2) and NMS'd
 *       unclipped; the boxes scaled to the image, then clipped to it, as its evaluation does.
 * </ul>
 */
public final class SsdPostprocess {
    /** Anchors per location at every level: two squares and two per aspect ratio 2 and 3. */
    public static final int ANCHORS = 6;

    private static final double MIN_RATIO = 0.2, MAX_RATIO = 0.95;
    private static final int[] ASPECTS = {2, 3};
    /** log(1000 / 16): torchvision's bound on the width and height offsets before exp. */
    private static final float XFORM_CLIP = (float) Math.log(1000.0 / 16);

    private final int classes;
    private final float scoreThresh, nmsThresh;
    private final int perImage, topk;
    /** ml-cvnets' decoding (centre-form normalised anchors) when positive; torchvision's otherwise. */
    private final float centerVariance, sizeVariance;

    /** torchvision's post-processing. */
    SsdPostprocess(int classes, float scoreThresh, float nmsThresh, int perImage, int topk) {
        this(classes, scoreThresh, nmsThresh, perImage, topk, 0f, 0f);
    }

    private SsdPostprocess(
            int classes,
            float scoreThresh,
            float nmsThresh,
            int perImage,
            int topk,
            float centerVariance,
            float sizeVariance) {
        this.classes = classes;
        this.scoreThresh = scoreThresh;
        this.nmsThresh = nmsThresh;
        this.perImage = perImage;
        this.topk = topk;
        this.centerVariance = centerVariance;
        this.sizeVariance = sizeVariance;
    }

    /** ml-cvnets' post-processing: its conf_threshold, nms_iou_threshold, objects_per_image, top_k and variances. */
    static SsdPostprocess cvnets(
            int classes,
            float confThreshold,
            float nmsThreshold,
            int objectsPerImage,
            int topK,
            float centerVariance,
            float sizeVariance) {
        if (!(centerVariance > 0 && sizeVariance > 0)) throw new IllegalArgumentException("variances must be positive");
        return new SsdPostprocess(
                classes, confThreshold, nmsThreshold, objectsPerImage, topK, centerVariance, sizeVariance);
    }

    private boolean cvnets() {
        return centerVariance > 0;
    }

    /**
     * ml-cvnets' SSDAnchorGenerator: for feature maps of {@code grids} ({h, w} per level) and the
     * aspect ratios of each level, anchors (cx, cy, w, h) normalised to [0, 1], at every location
     * (rows, then columns) the two squares of sizes s_k and sqrt(s_k·s_k+1) and two boxes per
     * ratio; the scales spaced evenly from {@code minScale} to {@code maxScale} over the levels
     * plus one; every value clipped to [0, 1].
     */
    public static float[][] cvnetsAnchors(List<int[]> grids, List<int[]> ratios, double minScale, double maxScale) {
        int levels = grids.size();
        double[] scales = new double[levels + 1];
        // as numpy.linspace computes them
        double step = (maxScale - minScale) / levels;
        for (int k = 0; k < levels; k++) scales[k] = k * step + minScale;
        scales[levels] = maxScale;
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < levels; k++) {
            double min = scales[k], max = Math.sqrt(scales[k] * scales[k + 1]);
            List<double[]> wh = new ArrayList<>();
            wh.add(new double[] {min, min});
            wh.add(new double[] {max, max});
            for (int r : ratios.get(k)) {
                double q = Math.sqrt(r);
                wh.add(new double[] {min * q, min / q});
                wh.add(new double[] {min / q, min * q});
            }
            int fh = grids.get(k)[0], fw = grids.get(k)[1];
            for (int y = 0; y < fh; y++)
                for (int x = 0; x < fw; x++) {
                    double cx = (x + 0.5) / fw, cy = (y + 0.5) / fh;
                    for (double[] p : wh) out.add(new float[] {unit(cx), unit(cy), unit(p[0]), unit(p[1])});
                }
        }
        return out.toArray(new float[0][]);
    }

    private static float unit(double v) {
        return (float) Math.min(Math.max(v, 0.0), 1.0);
    }

    /** One image's detections, best first: boxes [k][x1, y1, x2, y2] in the image's pixels, scores, labels. */
    public record Detections(float[][] boxes, float[] scores, int[] labels) {
        public int size() {
            return scores.length;
        }
    }

    /**
     * The anchors (x1, y1, x2, y2 in input pixels) for feature maps of {@code grids} ({h, w} per
     * level) over an input of {@code height} × {@code width}, in the head's order (location, then anchor).
     */
    public static float[][] anchors(List<int[]> grids, int height, int width) {
        int levels = grids.size();
        double[] scales = new double[levels + 1];
        for (int k = 0; k < levels; k++) {
            scales[k] = levels > 1 ? MIN_RATIO + (MAX_RATIO - MIN_RATIO) * k / (levels - 1.0) : MIN_RATIO;
        }
        scales[levels] = 1.0;
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < levels; k++) {
            // torchvision builds the width-height pairs in double, then stores them as float32
            float[][] wh = new float[ANCHORS][];
            double sk = scales[k], sk1 = Math.sqrt(scales[k] * scales[k + 1]);
            wh[0] = new float[] {(float) sk, (float) sk};
            wh[1] = new float[] {(float) sk1, (float) sk1};
            int j = 2;
            for (int ar : ASPECTS) {
                double sq = Math.sqrt(ar);
                float aw = (float) (sk * sq), ah = (float) (sk / sq);
                wh[j++] = new float[] {aw, ah};
                wh[j++] = new float[] {ah, aw};
            }
            for (float[] p : wh) {
                p[0] = Math.min(Math.max(p[0], 0f), 1f);
                p[1] = Math.min(Math.max(p[1], 0f), 1f);
            }
            int fh = grids.get(k)[0], fw = grids.get(k)[1];
            for (int y = 0; y < fh; y++)
                for (int x = 0; x < fw; x++) {
                    float cx = (float) ((x + 0.5) / fw), cy = (float) ((y + 0.5) / fh);
                    for (float[] p : wh) {
                        out.add(new float[] {
                            (cx - 0.5f * p[0]) * width,
                            (cy - 0.5f * p[1]) * height,
                            (cx + 0.5f * p[0]) * width,
                            (cy + 0.5f * p[1]) * height
                        });
                    }
                }
        }
        return out.toArray(new float[0][]);
    }

    /**
     * Detections of image {@code image} from the head's outputs ({@code boxRegression} [N, A, 4],
     * {@code clsLogits} [N, A, classes]) over {@code anchors}, for an input of {@code inH} ×
     * {@code inW} made from an image of {@code imageH} × {@code imageW}.
     */
    public Detections detect(
            HostTensor boxRegression,
            HostTensor clsLogits,
            float[][] anchors,
            int image,
            int inH,
            int inW,
            int imageH,
            int imageW) {
        int a = anchors.length;
        if (boxRegression.shape()[1] != a
                || clsLogits.shape()[1] != a
                || clsLogits.shape()[2] != classes) {
            throw new IllegalArgumentException("head outputs " + boxRegression + ", " + clsLogits + " do not fit " + a
                    + " anchors of " + classes + " classes");
        }
        float[] reg = boxRegression.data(), logit = clsLogits.data();
        int rb = image * a * 4, lb = image * a * classes;
        float[][] boxes = new float[a][];
        for (int i = 0; i < a; i++) {
            boxes[i] = cvnets()
                    ? decodeCentered(reg, rb + 4 * i, anchors[i])
                    : decode(reg, rb + 4 * i, anchors[i], inH, inW);
        }
        // softmax per anchor, in float as torch computes it (max subtracted)
        float[] scores = new float[a * classes];
        for (int i = 0; i < a; i++) {
            int o = lb + i * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logit[o + k]);
            float sum = 0;
            for (int k = 0; k < classes; k++) sum += (float) Math.exp(logit[o + k] - max);
            for (int k = 0; k < classes; k++) scores[i * classes + k] = (float) Math.exp(logit[o + k] - max) / sum;
        }
        List<int[]> cand = new ArrayList<>(); // {anchor, label}
        List<Float> candScore = new ArrayList<>();
        for (int label = 1; label < classes; label++) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < a; i++) if (scores[i * classes + label] > scoreThresh) idx.add(i);
            final int l = label;
            idx.sort(Comparator.comparingDouble((Integer i) -> -scores[i * classes + l]));
            for (int j = 0; j < Math.min(topk, idx.size()); j++) {
                cand.add(new int[] {idx.get(j), label});
                candScore.add(scores[idx.get(j) * classes + label]);
            }
        }
        // class-wise NMS over candidates in decreasing score
        Integer[] order = new Integer[cand.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -candScore.get(i)));
        boolean[] removed = new boolean[order.length];
        List<Integer> keep = new ArrayList<>();
        for (int oi = 0; oi < order.length && keep.size() < perImage; oi++) {
            if (removed[oi]) continue;
            int c = order[oi];
            keep.add(c);
            float[] bc = boxes[cand.get(c)[0]];
            for (int oj = oi + 1; oj < order.length; oj++) {
                if (removed[oj]) continue;
                int d = order[oj];
                if (cand.get(d)[1] != cand.get(c)[1]) continue;
                if (iou(bc, boxes[cand.get(d)[0]]) > nmsThresh) removed[oj] = true;
            }
        }
        // torchvision's boxes are in input pixels, ml-cvnets' in [0, 1] and clipped only now
        float rx = cvnets() ? imageW : (float) imageW / inW, ry = cvnets() ? imageH : (float) imageH / inH;
        float[][] outBoxes = new float[keep.size()][];
        float[] outScores = new float[keep.size()];
        int[] outLabels = new int[keep.size()];
        for (int i = 0; i < keep.size(); i++) {
            int c = keep.get(i);
            float[] b = boxes[cand.get(c)[0]];
            outBoxes[i] = new float[] {b[0] * rx, b[1] * ry, b[2] * rx, b[3] * ry};
            if (cvnets()) {
                for (int j = 0; j < 4; j++) outBoxes[i][j] = clamp(outBoxes[i][j], j % 2 == 0 ? imageW : imageH);
            }
            outScores[i] = candScore.get(c);
            outLabels[i] = cand.get(c)[1];
        }
        return new Detections(outBoxes, outScores, outLabels);
    }

    /** BoxCoder(10, 10, 5, 5).decode_single for one anchor, then clipped to the input. */
    private static float[] decode(float[] reg, int o, float[] anchor, int inH, int inW) {
        float w = anchor[2] - anchor[0], h = anchor[3] - anchor[1];
        float cx = anchor[0] + 0.5f * w, cy = anchor[1] + 0.5f * h;
        float dx = reg[o] / 10f, dy = reg[o + 1] / 10f;
        float dw = Math.min(reg[o + 2] / 5f, XFORM_CLIP), dh = Math.min(reg[o + 3] / 5f, XFORM_CLIP);
        float pcx = dx * w + cx, pcy = dy * h + cy;
        float pw = (float) Math.exp(dw) * w, ph = (float) Math.exp(dh) * h;
        return new float[] {
            clamp(pcx - 0.5f * pw, inW),
            clamp(pcy - 0.5f * ph, inH),
            clamp(pcx + 0.5f * pw, inW),
            clamp(pcy + 0.5f * ph, inH)
        };
    }

    /** ml-cvnets' convert_locations_to_boxes and center_form_to_corner_form for one anchor (cx, cy, w, h). */
    private float[] decodeCentered(float[] reg, int o, float[] anchor) {
        float cx = reg[o] * centerVariance * anchor[2] + anchor[0];
        float cy = reg[o + 1] * centerVariance * anchor[3] + anchor[1];
        float w = (float) Math.exp(reg[o + 2] * sizeVariance) * anchor[2];
        float h = (float) Math.exp(reg[o + 3] * sizeVariance) * anchor[3];
        return new float[] {cx - w * 0.5f, cy - h * 0.5f, cx + w * 0.5f, cy + h * 0.5f};
    }

    private static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }

    private static float iou(float[] a, float[] b) {
        float areaA = (a[2] - a[0]) * (a[3] - a[1]), areaB = (b[2] - b[0]) * (b[3] - b[1]);
        float iw = Math.max(0f, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        float ih = Math.max(0f, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        float inter = iw * ih;
        return inter / (areaA + areaB - inter);
    }

    /** COCO's category names by torchvision's ids (0: background; "N/A" where COCO skips an id). */
    public static final List<String> COCO_CATEGORIES = List.of(
            "__background__",
            "person",
            "bicycle",
            "car",
            "motorcycle",
            "airplane",
            "bus",
            "train",
            "truck",
            "boat",
            "traffic light",
            "fire hydrant",
            "N/A",
            "stop sign",
            "parking meter",
            "bench",
            "bird",
            "cat",
            "dog",
            "horse",
            "sheep",
            "cow",
            "elephant",
            "bear",
            "zebra",
            "giraffe",
            "N/A",
            "backpack",
            "umbrella",
            "N/A",
            "N/A",
            "handbag",
            "tie",
            "suitcase",
            "frisbee",
            "skis",
            "snowboard",
            "sports ball",
            "kite",
            "baseball bat",
            "baseball glove",
            "skateboard",
            "surfboard",
            "tennis racket",
            "bottle",
            "N/A",
            "wine glass",
            "cup",
            "fork",
            "knife",
            "spoon",
            "bowl",
            "banana",
            "apple",
            "sandwich",
            "orange",
            "broccoli",
            "carrot",
            "hot dog",
            "pizza",
            "donut",
            "cake",
            "chair",
            "couch",
            "potted plant",
            "bed",
            "N/A",
            "dining table",
            "N/A",
            "N/A",
            "toilet",
            "N/A",
            "tv",
            "laptop",
            "mouse",
            "remote",
            "keyboard",
            "cell phone",
            "microwave",
            "oven",
            "toaster",
            "sink",
            "refrigerator",
            "N/A",
            "book",
            "clock",
            "vase",
            "scissors",
            "teddy bear",
            "hair drier",
            "toothbrush");
}
