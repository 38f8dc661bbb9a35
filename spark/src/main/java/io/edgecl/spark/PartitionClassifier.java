package io.edgecl.spark;

import io.edgecl.api.Prediction;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.tensor.HostTensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Classifies one partition, {@code batchSize} rows per forward, on the JVM's shared session
 * ({@link ExecutorModels}). Rows stream through: a batch is read, run and handed on before the
 * next is read. A row whose image is missing or cannot be decoded gets null predictions and its
 * error; the rest of the batch and the job go on. A device fault fails the task, as Spark
 * expects of an executor that cannot compute.
 */
final class PartitionClassifier implements MapPartitionsFunction<Row, Row> {
    private final ClassifierSettings settings;
    private final ImageCells.Kind kind;
    private final int inputIndex;
    private final int pathIndex;
    private final boolean logits;

    PartitionClassifier(
            ClassifierSettings settings, ImageCells.Kind kind, int inputIndex, int pathIndex, boolean logits) {
        this.settings = settings;
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.pathIndex = pathIndex;
        this.logits = logits;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) return rows;
        ExecutorModels.OpenModel m = ExecutorModels.get(settings);
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) runBatch(m, rows, ready);
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.poll();
            }
        };
    }

    private void runBatch(ExecutorModels.OpenModel m, Iterator<Row> rows, ArrayDeque<Row> out) {
        List<Row> batch = new ArrayList<>(settings.batchSize());
        while (batch.size() < settings.batchSize() && rows.hasNext()) batch.add(rows.next());
        String[] errors = new String[batch.size()];
        List<HostTensor> inputs = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Object cell = r.isNullAt(inputIndex) ? null : r.get(inputIndex);
            String name = ImageCells.name(kind, cell, r, pathIndex);
            if (cell == null) {
                errors[i] = "no image (the input column is null)";
                continue;
            }
            try {
                inputs.add(m.preprocessor().apply(ImageCells.decode(kind, cell, name)));
            } catch (RuntimeException e) {
                errors[i] = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        List<List<Prediction>> tops = List.of();
        float[] all = null;
        int classes = m.model().numClasses();
        if (!inputs.isEmpty()) {
            HostTensor l = m.session().run(Preprocessor.stack(inputs)).logits();
            tops = Prediction.topk(l, Math.min(settings.topK(), classes));
            all = l.data();
        }
        for (int i = 0, k = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            int extra = logits ? 5 : 4;
            Object[] v = new Object[r.length() + extra];
            for (int c = 0; c < r.length(); c++) v[c] = r.get(c);
            int at = r.length();
            if (errors[i] == null) {
                List<Prediction> top = tops.get(k);
                Row[] probs = new Row[top.size()];
                for (int j = 0; j < top.size(); j++) {
                    Prediction p = top.get(j);
                    probs[j] = RowFactory.create(p.index(), m.labels().get(p.index()), p.probability());
                }
                v[at] = top.get(0).index();
                v[at + 1] = m.labels().get(top.get(0).index());
                v[at + 2] = probs;
                if (logits) {
                    float[] row = new float[classes];
                    System.arraycopy(all, k * classes, row, 0, classes);
                    v[at + 3] = row;
                }
                k++;
            } else {
                v[at + extra - 1] = errors[i];
            }
            out.add(RowFactory.create(v));
        }
    }
}
