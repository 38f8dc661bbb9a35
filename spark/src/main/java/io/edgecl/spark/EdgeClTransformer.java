package io.edgecl.spark;

import io.edgecl.EdgeClException;
import io.edgecl.api.ModelSource;
import io.edgecl.models.HubFolder;
import io.edgecl.models.VisionModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What EdgeCL's Transformers share: the model and weights, named as on the command line, the
 * device and precision, the input column (an image struct or encoded bytes), the error column,
 * and the run itself: a {@code mapPartitions} over batches of rows on one session per executor
 * JVM ({@link ExecutorModels}). Subclasses add their output columns and what fills them.
 *
 * @param <T> the subclass, so that setters chain with its own
 */
public abstract class EdgeClTransformer<T extends EdgeClTransformer<T>> extends Transformer
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> model;
    private final Param<String> modelSpec;
    private final Param<String> weights;
    private final Param<String> keyFormat;
    private final Param<String> device;
    private final Param<String> precision;
    private final StringArrayParam noFuse;
    private final IntParam batchSize;
    private final StringArrayParam labels;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> errorCol;

    protected EdgeClTransformer(String uid) {
        this.uid = uid;
        model = new Param<>(this, "model", "a registered model name or hub id (timm/NAME.TAG); empty: none");
        modelSpec = new Param<>(this, "modelSpec", "a model spec as JSON, as --model-config takes it; empty: none");
        weights = new Param<>(
                this,
                "weights",
                "weights file or timm hub folder, on any Hadoop file system; empty (and no model): the embedded demo");
        keyFormat = new Param<>(
                this,
                "keyFormat",
                "key layout of the weights: auto, timm, official or torchvision",
                ParamValidators.inArray(new String[] {"auto", "timm", "official", "torchvision"}));
        device = new Param<>(this, "device", "OpenCL device as `edgecl devices` names it; empty: the default");
        precision = new Param<>(
                this, "precision", "fp32, fp16-storage, fp16 or auto", ParamValidators.inArray(new String[] {
                    "fp32", "fp16-storage", "fp16", "auto"
                }));
        noFuse = new StringArrayParam(this, "noFuse", "fusion rules switched off ('all', or rule names)");
        batchSize =
                new IntParam(this, "batchSize", "rows read at a time; images per forward (> 0)", ParamValidators.gt(0));
        labels = new StringArrayParam(this, "labels", "class names (default: the model's)");
        inputCol = new Param<>(this, "inputCol", "image struct or encoded image bytes");
        pathCol = new Param<>(this, "pathCol", "a column naming each image in errors, when present");
        errorCol = new Param<>(this, "errorCol", "output: why a row has no result");
        setDefault(model, "");
        setDefault(modelSpec, "");
        setDefault(weights, "");
        setDefault(keyFormat, "auto");
        setDefault(device, "");
        setDefault(precision, "fp32");
        setDefault(noFuse, new String[0]);
        setDefault(batchSize, 64);
        setDefault(inputCol, "image");
        setDefault(pathCol, "path");
        setDefault(errorCol, "error");
    }

    /** The model's task, which picks the embedded demo and checks the model. */
    abstract TaskSettings.Task task();

    /** The output columns in order, the error column aside, with the setter that renames each. */
    abstract List<Output> outputs();

    /** What fills the output columns. */
    abstract RowTask rowTask();

    /** An output column: its name, type, and the setter that renames it (for messages). */
    record Output(String name, org.apache.spark.sql.types.DataType type, String setter) {}

    @SuppressWarnings("unchecked")
    final T self() {
        return (T) this;
    }

    @Override
    public String uid() {
        return uid;
    }

    // Params: one accessor per parameter (Spark finds them by reflection), and a setter.

    public Param<String> model() {
        return model;
    }

    public Param<String> modelSpec() {
        return modelSpec;
    }

    public Param<String> weights() {
        return weights;
    }

    public Param<String> keyFormat() {
        return keyFormat;
    }

    public Param<String> device() {
        return device;
    }

    public Param<String> precision() {
        return precision;
    }

    public StringArrayParam noFuse() {
        return noFuse;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public StringArrayParam labels() {
        return labels;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> pathCol() {
        return pathCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    /** A registered model name (see {@code edgecl models}) or a hub id such as {@code timm/edgenext_xx_small.in1k}. */
    public T setModel(String value) {
        set(model, value);
        return self();
    }

    /** A model spec as JSON, as {@code --model-config} reads it from a file. */
    public T setModelSpec(String value) {
        set(modelSpec, value);
        return self();
    }

    /** The weights: a file or a timm hub folder, on any Hadoop file system (hdfs://, s3a://, file:, a plain path). */
    public T setWeights(String value) {
        set(weights, value);
        return self();
    }

    /** The weights' key layout: auto (detected), timm, official or torchvision. */
    public T setKeyFormat(String value) {
        set(keyFormat, value);
        return self();
    }

    /** The OpenCL device on each executor, as {@code edgecl devices} names it. */
    public T setDevice(String value) {
        set(device, value);
        return self();
    }

    /** fp32 (default), fp16-storage, fp16 or auto. */
    public T setPrecision(String value) {
        set(precision, value);
        return self();
    }

    /** Fusion rules to switch off: "all", or rule names as {@code --no-fuse} takes them. */
    public T setNoFuse(String... rules) {
        set(noFuse, rules);
        return self();
    }

    /** Rows read at a time; a classifier runs them as one forward (default 64). */
    public T setBatchSize(int value) {
        set(batchSize, value);
        return self();
    }

    /** Class names for the model's first classes (the rest are "class i"); default: the model's. */
    public T setLabels(String... names) {
        set(labels, names);
        return self();
    }

    /** The image column: the image source's struct or encoded bytes (default "image"). */
    public T setInputCol(String value) {
        set(inputCol, value);
        return self();
    }

    /** A column that names each image in error messages, when the dataset has it (default "path"). */
    public T setPathCol(String value) {
        set(pathCol, value);
        return self();
    }

    public T setErrorCol(String value) {
        set(errorCol, value);
        return self();
    }

    final String str(Param<String> p) {
        return (String) getOrDefault(p);
    }

    static String orNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = str(inputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("input column '" + in + "' is not in the dataset (columns: "
                    + String.join(", ", schema.fieldNames()) + "); set it with setInputCol");
        }
        if (ImageCells.kindOf(schema.apply(in).dataType()) == null) {
            throw new IllegalArgumentException("input column '" + in + "' is "
                    + schema.apply(in).dataType().simpleString()
                    + ": give the image data source's struct or encoded image bytes (binaryFile's content)");
        }
        if (orNull(str(model)) != null && orNull(str(modelSpec)) != null) {
            throw new IllegalArgumentException("set either model or modelSpec, not both");
        }
        List<Output> outs = new ArrayList<>(outputs());
        outs.add(new Output(str(errorCol), DataTypes.StringType, "setErrorCol"));
        StructType out = schema;
        for (Output o : outs) {
            if (Arrays.asList(out.fieldNames()).contains(o.name())) {
                throw new IllegalArgumentException(
                        "output column '" + o.name() + "' exists already; set another name with " + o.setter());
            }
            out = out.add(new StructField(o.name(), o.type(), true, Metadata.empty()));
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        checkOnDriver();
        String w = orNull(str(weights));
        String shipped =
                w == null ? null : WeightsShipping.ship(dataset.sparkSession().sparkContext(), w);
        String[] names = isDefined(labels) ? (String[]) getOrDefault(labels) : null;
        TaskSettings s = new TaskSettings(
                task(),
                orNull(str(model)),
                orNull(str(modelSpec)),
                shipped,
                str(keyFormat),
                orNull(str(device)),
                str(precision),
                List.of((String[]) getOrDefault(noFuse)),
                (Integer) getOrDefault(batchSize),
                names == null ? null : List.of(names));
        int inputIndex = in.fieldIndex(str(inputCol));
        int pathIndex = Arrays.asList(in.fieldNames()).indexOf(str(pathCol));
        ImageCells.Kind kind = ImageCells.kindOf(in.apply(inputIndex).dataType());
        return dataset.toDF()
                .mapPartitions(
                        new PartitionRunner(s, rowTask(), outputs().size(), kind, inputIndex, pathIndex),
                        Encoders.row(out));
    }

    /**
     * The model as the driver can resolve it, without its weights: by name, by spec, from a hub
     * folder on a local path, or the task's demo. Weights elsewhere need the model named with
     * them (a hub folder on a cluster file system is read on the executors only).
     */
    VisionModel modelOnDriver() {
        String w = orNull(str(weights));
        java.nio.file.Path local = null;
        if (w != null) {
            if (isLocal(w)) {
                local = java.nio.file.Path.of(
                        new org.apache.hadoop.fs.Path(w).toUri().getPath());
            } else if (orNull(str(model)) == null && orNull(str(modelSpec)) == null) {
                throw new EdgeClException("weights " + w + " are not on a local path: name the model with "
                        + "setModel or setModelSpec (--model or --model-config)");
            }
        }
        ModelSource src = ModelSource.of(orNull(str(model)), orNull(str(modelSpec)), local)
                .withKeyFormat(str(keyFormat));
        return ExecutorModels.model(src, task());
    }

    /**
     * The model is resolved on the driver where that is cheap (a name, a spec, local weights), so
     * a wrong one fails this call with its reason rather than every task. A hub id (downloaded)
     * and a hub folder on a cluster file system are resolved on the executors only.
     */
    private void checkOnDriver() {
        String name = orNull(str(model));
        if (name != null && HubFolder.isHubId(name)) return;
        String w = orNull(str(weights));
        if (w != null && !isLocal(w) && name == null && orNull(str(modelSpec)) == null) return;
        try {
            modelOnDriver();
        } catch (EdgeClException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean isLocal(String path) {
        String scheme = new org.apache.hadoop.fs.Path(path).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }
}
