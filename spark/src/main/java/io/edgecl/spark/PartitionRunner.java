package io.edgecl.spark;

import io.edgecl.io.image.RgbImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Runs a Transformer over one partition, {@code batchSize} rows at a time, on the JVM's shared
 * session ({@link ExecutorModels}). Rows stream through: a batch is read, run and handed on
 * before the next is read. A row whose image is missing or cannot be decoded gets null outputs
 * and its error; the rest of the batch and the job go on. A device fault fails the task, as
 * Spark expects of an executor that cannot compute.
 */
final class PartitionRunner implements MapPartitionsFunction<Row, Row> {
    private final TaskSettings settings;
    private final RowTask task;
    private final int outputs;
    private final ImageCells.Kind kind;
    private final int inputIndex;
    private final int pathIndex;

    /** {@code outputs}: the task's output columns, the error column aside. */
    PartitionRunner(
            TaskSettings settings, RowTask task, int outputs, ImageCells.Kind kind, int inputIndex, int pathIndex) {
        this.settings = settings;
        this.task = task;
        this.outputs = outputs;
        this.kind = kind;
        this.inputIndex = inputIndex;
        this.pathIndex = pathIndex;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) return rows;
        ExecutorModels.OpenModel m = ExecutorModels.get(settings);
        List<String> labels = ExecutorModels.labels(m.model(), settings.labels());
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) runBatch(m, labels, rows, ready);
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return ready.poll();
            }
        };
    }

    private void runBatch(ExecutorModels.OpenModel m, List<String> labels, Iterator<Row> rows, ArrayDeque<Row> out) {
        List<Row> batch = new ArrayList<>(settings.batchSize());
        while (batch.size() < settings.batchSize() && rows.hasNext()) batch.add(rows.next());
        String[] errors = new String[batch.size()];
        List<Object> prepared = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Object cell = r.isNullAt(inputIndex) ? null : r.get(inputIndex);
            if (cell == null) {
                errors[i] = "no image (the input column is null)";
                continue;
            }
            try {
                RgbImage img = ImageCells.decode(kind, cell, ImageCells.name(kind, cell, r, pathIndex));
                prepared.add(task.prepare(m, img));
            } catch (RuntimeException e) {
                errors[i] = e.getMessage() == null ? e.toString() : e.getMessage();
            }
        }
        List<Object> results = prepared.isEmpty() ? List.of() : task.run(m, labels, prepared);
        for (int i = 0, k = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Object[] v = new Object[r.length() + outputs + 1];
            for (int c = 0; c < r.length(); c++) v[c] = r.get(c);
            Object res = errors[i] == null ? results.get(k++) : errors[i];
            if (res instanceof Object[] values) {
                System.arraycopy(values, 0, v, r.length(), outputs);
            } else {
                v[v.length - 1] = res;
            }
            out.add(RowFactory.create(v));
        }
    }
}
