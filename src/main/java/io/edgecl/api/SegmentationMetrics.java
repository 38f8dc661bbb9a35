package io.edgecl.api;

/**
 * Semantic segmentation scores over a dataset, accumulated in one confusion matrix as
 * torchvision's reference scripts and mmsegmentation do: per-class IoU = TP / (TP + FP + FN)
 * over all pixels of all images, mIoU their mean over the classes that occur in the ground truth
 * or the predictions (a class absent from both has no IoU), pixel accuracy = TP / labelled
 * pixels. Ground-truth pixels of {@link #IGNORE} (VOC's object borders) are not counted.
 */
public final class SegmentationMetrics {
    /** The label VOC's masks give to object borders and unlabelled pixels. */
    public static final int IGNORE = 255;

    private final int classes;
    private final long[] confusion; // [truth * classes + predicted]
    private long outside; // ground-truth labels >= classes (other than IGNORE)

    public SegmentationMetrics(int classes) {
        if (classes < 1 || classes > 255)
            throw new IllegalArgumentException("classes must be in 1..255, got " + classes);
        this.classes = classes;
        this.confusion = new long[classes * classes];
    }

    /** Adds one image: predicted and ground-truth class per pixel, the same size. */
    public void add(byte[] predicted, byte[] truth) {
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException(
                    "prediction and ground truth differ in size: " + predicted.length + " vs " + truth.length);
        }
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xFF, p = predicted[i] & 0xFF;
            if (t == IGNORE) continue;
            if (t >= classes || p >= classes) {
                outside++;
                continue;
            }
            confusion[t * classes + p]++;
        }
    }

    /** Ground-truth pixels whose label is neither a class of the model nor {@link #IGNORE}. */
    public long pixelsOutsideTheClasses() {
        return outside;
    }

    /** IoU of each class; NaN where the class occurs in neither the ground truth nor the predictions. */
    public double[] iou() {
        double[] iou = new double[classes];
        for (int c = 0; c < classes; c++) {
            long tp = confusion[c * classes + c], truth = 0, pred = 0;
            for (int k = 0; k < classes; k++) {
                truth += confusion[c * classes + k];
                pred += confusion[k * classes + c];
            }
            long union = truth + pred - tp;
            iou[c] = union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }

    /** Mean IoU over the classes that have one. */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (double v : iou()) {
            if (Double.isNaN(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Correctly classified labelled pixels over all labelled pixels. */
    public double pixelAccuracy() {
        long tp = 0, all = 0;
        for (int t = 0; t < classes; t++)
            for (int p = 0; p < classes; p++) {
                all += confusion[t * classes + p];
                if (t == p) tp += confusion[t * classes + p];
            }
        return all == 0 ? Double.NaN : (double) tp / all;
    }

    /** Labelled pixels of each ground-truth class. */
    public long[] pixelsPerClass() {
        long[] n = new long[classes];
        for (int t = 0; t < classes; t++) for (int p = 0; p < classes; p++) n[t] += confusion[t * classes + p];
        return n;
    }
}
