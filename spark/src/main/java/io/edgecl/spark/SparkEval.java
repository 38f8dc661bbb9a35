package io.edgecl.spark;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.edgecl.EdgeClException;
import io.edgecl.cli.EvalReport;
import io.edgecl.io.image.ImageFolder;
import io.edgecl.models.VisionModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Top-1, top-5 and per-class accuracy over an ImageFolder tree ({@code DIR/<class>/<image>}, on
 * any Hadoop file system), as {@code edgecl eval} reports them, computed by Spark: the files are
 * read with the {@code binaryFile} source, classified by {@link EdgeClClassifier} on the
 * executors, and counted with one aggregation per class.
 */
public final class SparkEval {
    private static final String OPEN_COST = "spark.sql.files.openCostInBytes";

    private SparkEval() {}

    /**
     * Evaluates {@code classifier} (its model, weights and options; the input column and labels
     * are set here) on the ImageFolder tree {@code dir}. {@code partitions} above 0 repartitions
     * the files (a shuffle of their bytes); 0 keeps the data source's split.
     */
    public static EvalReport run(SparkSession spark, EdgeClClassifier classifier, String dir, int partitions) {
        Path root = new Path(dir);
        List<String> classes = classFolders(spark, root);
        String prefix;
        try {
            prefix = root.getFileSystem(spark.sparkContext().hadoopConfiguration())
                            .makeQualified(root)
                            .toString()
                    + "/";
        } catch (IOException e) {
            throw new EdgeClException("cannot read " + dir + ": " + e.getMessage(), e);
        }
        String extensions = ImageFolder.EXTENSIONS.stream()
                .map(e -> e.substring(1))
                .sorted()
                .collect(Collectors.joining("|"));
        Column[] index = new Column[2 * classes.size()];
        for (int i = 0; i < classes.size(); i++) {
            index[2 * i] = lit(classes.get(i));
            index[2 * i + 1] = lit(i);
        }
        // The class is the first folder below DIR in the file's qualified path.
        Column classOf =
                functions.substring_index(functions.expr("substring(path, " + (prefix.length() + 1) + ")"), "/", 1);
        Column truth = functions.element_at(functions.map(index), classOf);

        // Spark splits a file listing by bytes, counting each file as at least its open cost: 4 MB by
        // default, sized for columnar files, which makes every 32 images a task of their own, each
        // with its own start. Images are small and cheap to open: at 4 KB the split follows their
        // bytes (at most 128 MB a task, at least one task per core). Measured on the Fashion-MNIST
        // folder on local[2], the second run: 4 MB gave 1,500-1,600 images/s, 64 KB 4,450, 4 KB 5,100.
        if (!spark.conf().contains(OPEN_COST)) spark.conf().set(OPEN_COST, String.valueOf(4 * 1024));
        Dataset<Row> files = spark.read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(dir)
                .select("path", "content")
                .filter(lower(col("path")).rlike("\\.(" + extensions + ")$"))
                .withColumn("truth", truth)
                .filter(col("truth").isNotNull());
        if (partitions > 0) files = files.repartition(partitions);

        VisionModel model = classifier.modelOnDriver();
        if (classes.size() > model.numClasses()) {
            throw new EdgeClException(dir + " has " + classes.size() + " class folders but " + model.name()
                    + " predicts " + model.numClasses() + " classes");
        }
        EdgeClClassifier c = classifier
                .copy(new org.apache.spark.ml.param.ParamMap())
                .setInputCol("content")
                .setPathCol("path")
                .setTopK(5)
                .setPredictionCol("_prediction")
                .setLabelCol("_label")
                .setProbabilityCol("_probability")
                .setErrorCol("_error");
        List<String> labels = c.isSet(c.labels())
                ? ExecutorModels.labels(model, List.of(c.getOrDefault(c.labels())))
                : folderLabels(model, classes);
        c.setLabels(labels.toArray(new String[0]));
        Dataset<Row> scored = c.transform(files);
        Column ok = col("_error").isNull();
        Dataset<Row> perClass = scored.groupBy("truth")
                .agg(
                        sum(when(ok, 1).otherwise(0)).as("images"),
                        sum(when(ok.and(col("_prediction").equalTo(col("truth"))), 1)
                                        .otherwise(0))
                                .as("top1"),
                        sum(when(ok.and(array_contains(col("_probability.index"), col("truth"))), 1)
                                        .otherwise(0))
                                .as("top5"),
                        collect_list(when(col("_error").isNotNull(), concat(col("path"), lit(": "), col("_error"))))
                                .as("errors"));
        long t0 = System.nanoTime();
        List<Row> rows = perClass.collectAsList();
        double seconds = (System.nanoTime() - t0) / 1e9;

        long[] images = new long[classes.size()], top1 = new long[classes.size()], top5 = new long[classes.size()];
        List<String> errors = new ArrayList<>();
        for (Row r : rows) {
            int t = r.getInt(r.fieldIndex("truth"));
            images[t] = r.getLong(r.fieldIndex("images"));
            top1[t] = r.getLong(r.fieldIndex("top1"));
            top5[t] = r.getLong(r.fieldIndex("top5"));
            errors.addAll(r.getList(r.fieldIndex("errors")));
        }
        errors.sort(Comparator.naturalOrder());
        List<EvalReport.PerClass> per = new ArrayList<>();
        long n = 0, h1 = 0, h5 = 0;
        for (int i = 0; i < classes.size(); i++) {
            per.add(new EvalReport.PerClass(classes.get(i), labels.get(i), images[i], top1[i]));
            n += images[i];
            h1 += top1[i];
            h5 += top5[i];
        }
        if (n == 0) {
            throw new EdgeClException("no image of " + dir + " could be read (" + errors.size() + " errors; first: "
                    + (errors.isEmpty() ? "none" : errors.get(0)) + ")");
        }
        return new EvalReport(
                model.name(),
                dir,
                n,
                errors,
                h1,
                h5,
                model.numClasses() >= 5,
                (n + errors.size()) / seconds,
                null,
                "the Spark job, start-up excluded",
                per);
    }

    /**
     * As {@code edgecl eval} names the classes: the model's own names, or ImageNet-1k's for a
     * 1000-class model without names, else the folder names.
     */
    static List<String> folderLabels(VisionModel m, List<String> folders) {
        boolean own = m.labels() != null && m.labels().size() == m.numClasses();
        boolean imagenet = m.labels() == null && m.numClasses() == 1000;
        return ExecutorModels.labels(m, own || imagenet ? null : folders);
    }

    /** The class folders under {@code root}, sorted by name as {@code edgecl eval} sorts them. */
    static List<String> classFolders(SparkSession spark, Path root) {
        FileStatus[] st;
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
                throw new EdgeClException("data folder " + root + " does not exist or is not a folder");
            }
            st = fs.listStatus(root);
        } catch (IOException e) {
            throw new EdgeClException("cannot list " + root + ": " + e.getMessage(), e);
        }
        List<String> out = Arrays.stream(st)
                .filter(FileStatus::isDirectory)
                .map(s -> s.getPath().getName())
                .sorted()
                .toList();
        if (out.isEmpty()) {
            throw new EdgeClException(
                    "data folder " + root + " has no class sub-folders (ImageFolder layout: DIR/<class>/<image>)");
        }
        return out;
    }
}
