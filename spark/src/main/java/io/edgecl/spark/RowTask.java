package io.edgecl.spark;

import io.edgecl.DeviceFaultException;
import io.edgecl.EdgeClException;
import io.edgecl.api.Prediction;
import io.edgecl.api.SegmentationMask;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.io.image.RgbImage;
import io.edgecl.models.SsdPostprocess;
import io.edgecl.tensor.HostTensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What a Transformer computes for the images of one batch: the values of its output columns
 * (the error column aside), in their order, one array per image.
 */
interface RowTask extends Serializable {
    /** Per image, before the batch runs; a failure here is that image's error alone. */
    Object prepare(ExecutorModels.OpenModel m, RgbImage image);

    /**
     * The output values of each prepared image, in order: an {@code Object[]}, or a String saying
     * why that image has none (a device fault is thrown instead: it fails the task).
     */
    List<Object> run(ExecutorModels.OpenModel m, List<String> labels, List<Object> prepared);

    /** classify's top-k: one forward for the batch. */
    record Classify(int topK, boolean logits) implements RowTask {
        @Override
        public Object prepare(ExecutorModels.OpenModel m, RgbImage image) {
            return m.preprocessor().apply(image);
        }

        @Override
        public List<Object> run(ExecutorModels.OpenModel m, List<String> labels, List<Object> prepared) {
            List<HostTensor> inputs = new ArrayList<>();
            for (Object o : prepared) inputs.add((HostTensor) o);
            HostTensor l = m.session().run(Preprocessor.stack(inputs)).logits();
            int classes = l.dim(1);
            List<List<Prediction>> tops = Prediction.topk(l, Math.min(topK, classes));
            List<Object> out = new ArrayList<>();
            for (int k = 0; k < tops.size(); k++) {
                List<Prediction> top = tops.get(k);
                Row[] probs = new Row[top.size()];
                for (int j = 0; j < top.size(); j++) {
                    Prediction p = top.get(j);
                    probs[j] = RowFactory.create(p.index(), labels.get(p.index()), p.probability());
                }
                Object[] v = new Object[logits ? 4 : 3];
                v[0] = top.get(0).index();
                v[1] = labels.get(top.get(0).index());
                v[2] = probs;
                if (logits) {
                    float[] row = new float[classes];
                    System.arraycopy(l.data(), k * classes, row, 0, classes);
                    v[3] = row;
                }
                out.add(v);
            }
            return out;
        }
    }

    /**
     * A task that runs its images one at a time ({@link Segment}, {@link Detect}): the image is
     * its own prepared input, and a refusal of one image (too large, say) is that image's error.
     */
    interface PerImage extends RowTask {
        /** One image's output values. */
        Object[] runOne(ExecutorModels.OpenModel m, List<String> labels, RgbImage image);

        @Override
        default Object prepare(ExecutorModels.OpenModel m, RgbImage image) {
            return image;
        }

        @Override
        default List<Object> run(ExecutorModels.OpenModel m, List<String> labels, List<Object> prepared) {
            List<Object> out = new ArrayList<>();
            for (Object o : prepared) {
                try {
                    out.add(runOne(m, labels, (RgbImage) o));
                } catch (DeviceFaultException e) {
                    throw e;
                } catch (EdgeClException e) {
                    out.add(e.getMessage());
                }
            }
            return out;
        }
    }

    /** segment's class per pixel, at the image's size, and each class's share of the pixels. */
    record Segment(int shortSide) implements PerImage {
        @Override
        public Object[] runOne(ExecutorModels.OpenModel m, List<String> labels, RgbImage image) {
            SegmentationMask mask = m.session().segment(image, shortSide);
            long[] hist = mask.histogram();
            long pixels = (long) mask.width() * mask.height();
            List<Row> classes = new ArrayList<>();
            for (int c = 0; c < hist.length; c++) {
                if (hist[c] > 0) classes.add(RowFactory.create(c, labels.get(c), hist[c] / (double) pixels));
            }
            classes.sort((a, b) -> Double.compare(b.getDouble(2), a.getDouble(2)));
            return new Object[] {
                RowFactory.create(mask.width(), mask.height(), mask.classIndex()), classes.toArray(new Row[0])
            };
        }
    }

    /** detect's boxes in the image's pixels, best first, at or above a score. */
    record Detect(double minScore) implements PerImage {
        @Override
        public Object[] runOne(ExecutorModels.OpenModel m, List<String> labels, RgbImage image) {
            SsdPostprocess.Detections d = m.session().detect(image);
            List<Row> boxes = new ArrayList<>();
            for (int i = 0; i < d.size(); i++) {
                if (d.scores()[i] < minScore) continue;
                int c = d.labels()[i];
                float[] b = d.boxes()[i];
                String name = c < labels.size() ? labels.get(c) : String.valueOf(c);
                boxes.add(RowFactory.create(c, name, d.scores()[i], b[0], b[1], b[2], b[3]));
            }
            return new Object[] {boxes.toArray(new Row[0])};
        }
    }
}
