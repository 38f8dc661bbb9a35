package io.edgecl.spark;

import io.edgecl.EdgeClException;
import io.edgecl.api.ModelSource;
import io.edgecl.models.VisionModel;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * An image classifier as a Spark ML {@link Transformer}: adds the top class, its name, the top-k
 * classes with their probabilities and, on request, the logits to every row, computed by EdgeCL
 * on the executors' OpenCL devices.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("binaryFile").load("hdfs:///photos");
 * Dataset<Row> out = new EdgeClClassifier()
 *         .setModel("edgenext_xx_small")
 *         .setWeights("hdfs:///models/edgenext_xx_small/model.safetensors")
 *         .setInputCol("content")
 *         .transform(images);
 * }</pre>
 *
 * <p>The input column holds either a struct from Spark's {@code image} data source or the encoded
 * bytes of a {@code binaryFile} row (JPEG, PNG, WebP, TIFF, BMP, GIF). Images are decoded and
 * preprocessed as {@code edgecl classify} does, with the model's own preprocessing. The model is
 * named as on the command line: a registered name or hub id ({@link #setModel}), a spec as JSON
 * ({@link #setModelSpec}), a timm hub folder as the weights, or nothing for the embedded demo.
 *
 * <p>Output columns: {@code prediction} (int, the top class), {@code label} (its name),
 * {@code probability} (the top-k as structs of index, label and probability, highest first),
 * {@code logits} (array of float, only with {@link #setLogitsCol}) and {@code error} (null, or why
 * this row's image could not be classified; its other outputs are then null).
 *
 * <p>Each executor JVM opens one session per (model, weights, device, precision, fusion) and
 * shares it across its tasks until it exits. The weights, on any Hadoop file system, are copied
 * to each executor once. The Transformer is persistable ({@link #write()}, {@link #load}): its
 * parameters are saved, not the weights.
 */
public final class EdgeClClassifier extends Transformer implements DefaultParamsWritable {
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
    private final IntParam topK;
    private final StringArrayParam labels;
    private final Param<String> inputCol;
    private final Param<String> pathCol;
    private final Param<String> predictionCol;
    private final Param<String> labelCol;
    private final Param<String> probabilityCol;
    private final Param<String> logitsCol;
    private final Param<String> errorCol;

    public EdgeClClassifier() {
        this(Identifiable$.MODULE$.randomUID("edgeclClassifier"));
    }

    /** With a given uid (Spark's persistence calls this). */
    public EdgeClClassifier(String uid) {
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
        device = new Param<>(this, "device", "OpenCL device as `edgecl devices` lists it; empty: the default");
        precision = new Param<>(
                this, "precision", "fp32, fp16-storage, fp16 or auto", ParamValidators.inArray(new String[] {
                    "fp32", "fp16-storage", "fp16", "auto"
                }));
        noFuse = new StringArrayParam(this, "noFuse", "fusion rules switched off ('all', or rule names)");
        batchSize = new IntParam(this, "batchSize", "images per forward (> 0)", ParamValidators.gt(0));
        topK = new IntParam(this, "topK", "classes in the probability column (> 0)", ParamValidators.gt(0));
        labels = new StringArrayParam(this, "labels", "class names (default: the model's)");
        inputCol = new Param<>(this, "inputCol", "image struct or encoded image bytes");
        pathCol = new Param<>(this, "pathCol", "a column naming each image in errors, when present");
        predictionCol = new Param<>(this, "predictionCol", "output: the top class index");
        labelCol = new Param<>(this, "labelCol", "output: the top class name");
        probabilityCol = new Param<>(this, "probabilityCol", "output: the top-k classes with probabilities");
        logitsCol = new Param<>(this, "logitsCol", "output: the logits; empty: not written");
        errorCol = new Param<>(this, "errorCol", "output: why a row has no prediction");
        setDefault(model, "");
        setDefault(modelSpec, "");
        setDefault(weights, "");
        setDefault(keyFormat, "auto");
        setDefault(device, "");
        setDefault(precision, "fp32");
        setDefault(noFuse, new String[0]);
        setDefault(batchSize, 64);
        setDefault(topK, 5);
        setDefault(inputCol, "image");
        setDefault(pathCol, "path");
        setDefault(predictionCol, "prediction");
        setDefault(labelCol, "label");
        setDefault(probabilityCol, "probability");
        setDefault(logitsCol, "");
        setDefault(errorCol, "error");
    }

    @Override
    public String uid() {
        return uid;
    }

    // Params: one accessor per parameter (Spark finds them by reflection), a getter and a setter.

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

    public IntParam topK() {
        return topK;
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

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> logitsCol() {
        return logitsCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    /** A registered model name (see {@code edgecl models}) or a hub id such as {@code timm/edgenext_xx_small.in1k}. */
    public EdgeClClassifier setModel(String value) {
        return (EdgeClClassifier) set(model, value);
    }

    /** A model spec as JSON, as {@code --model-config} reads it from a file. */
    public EdgeClClassifier setModelSpec(String value) {
        return (EdgeClClassifier) set(modelSpec, value);
    }

    /** The weights: a file or a timm hub folder, on any Hadoop file system (hdfs://, s3a://, file:, a plain path). */
    public EdgeClClassifier setWeights(String value) {
        return (EdgeClClassifier) set(weights, value);
    }

    public EdgeClClassifier setKeyFormat(String value) {
        return (EdgeClClassifier) set(keyFormat, value);
    }

    public EdgeClClassifier setDevice(String value) {
        return (EdgeClClassifier) set(device, value);
    }

    public EdgeClClassifier setPrecision(String value) {
        return (EdgeClClassifier) set(precision, value);
    }

    public EdgeClClassifier setNoFuse(String... rules) {
        return (EdgeClClassifier) set(noFuse, rules);
    }

    public EdgeClClassifier setBatchSize(int value) {
        return (EdgeClClassifier) set(batchSize, value);
    }

    public EdgeClClassifier setTopK(int value) {
        return (EdgeClClassifier) set(topK, value);
    }

    public EdgeClClassifier setLabels(String... names) {
        return (EdgeClClassifier) set(labels, names);
    }

    public EdgeClClassifier setInputCol(String value) {
        return (EdgeClClassifier) set(inputCol, value);
    }

    public EdgeClClassifier setPathCol(String value) {
        return (EdgeClClassifier) set(pathCol, value);
    }

    public EdgeClClassifier setPredictionCol(String value) {
        return (EdgeClClassifier) set(predictionCol, value);
    }

    public EdgeClClassifier setLabelCol(String value) {
        return (EdgeClClassifier) set(labelCol, value);
    }

    public EdgeClClassifier setProbabilityCol(String value) {
        return (EdgeClClassifier) set(probabilityCol, value);
    }

    public EdgeClClassifier setLogitsCol(String value) {
        return (EdgeClClassifier) set(logitsCol, value);
    }

    public EdgeClClassifier setErrorCol(String value) {
        return (EdgeClClassifier) set(errorCol, value);
    }

    private String str(Param<String> p) {
        return (String) getOrDefault(p);
    }

    private static String orNull(String s) {
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
        StructType probs = new StructType()
                .add("index", DataTypes.IntegerType, false)
                .add("label", DataTypes.StringType, false)
                .add("probability", DataTypes.DoubleType, false);
        StructType out = schema;
        for (String[] c : outputs()) {
            if (Arrays.asList(out.fieldNames()).contains(c[0])) {
                throw new IllegalArgumentException(
                        "output column '" + c[0] + "' exists already; set another name with set" + c[1]);
            }
            out = out.add(new StructField(
                    c[0],
                    switch (c[1]) {
                        case "PredictionCol" -> DataTypes.IntegerType;
                        case "ProbabilityCol" -> DataTypes.createArrayType(probs, false);
                        case "LogitsCol" -> DataTypes.createArrayType(DataTypes.FloatType, false);
                        default -> DataTypes.StringType;
                    },
                    true,
                    org.apache.spark.sql.types.Metadata.empty()));
        }
        return out;
    }

    /** The output columns in order, each with the name of its setter. */
    private List<String[]> outputs() {
        List<String[]> out = new java.util.ArrayList<>();
        out.add(new String[] {str(predictionCol), "PredictionCol"});
        out.add(new String[] {str(labelCol), "LabelCol"});
        out.add(new String[] {str(probabilityCol), "ProbabilityCol"});
        if (orNull(str(logitsCol)) != null) out.add(new String[] {str(logitsCol), "LogitsCol"});
        out.add(new String[] {str(errorCol), "ErrorCol"});
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema();
        StructType out = transformSchema(in);
        String m = orNull(str(model));
        String spec = orNull(str(modelSpec));
        String w = orNull(str(weights));
        checkOnDriver();
        String shipped =
                w == null ? null : WeightsShipping.ship(dataset.sparkSession().sparkContext(), w);
        String[] names = isDefined(labels) ? (String[]) getOrDefault(labels) : null;
        ClassifierSettings s = new ClassifierSettings(
                m,
                spec,
                shipped,
                str(keyFormat),
                orNull(str(device)),
                str(precision),
                List.of((String[]) getOrDefault(noFuse)),
                (Integer) getOrDefault(batchSize),
                (Integer) getOrDefault(topK),
                names == null ? null : List.of(names));
        int inputIndex = in.fieldIndex(str(inputCol));
        int pathIndex = Arrays.asList(in.fieldNames()).indexOf(str(pathCol));
        ImageCells.Kind kind = ImageCells.kindOf(in.apply(inputIndex).dataType());
        boolean withLogits = orNull(str(logitsCol)) != null;
        return dataset.toDF()
                .mapPartitions(new PartitionClassifier(s, kind, inputIndex, pathIndex, withLogits), Encoders.row(out));
    }

    /**
     * The model as the driver can resolve it, without its weights: by name, by spec, from a hub
     * folder on a local path, or the demo. Weights elsewhere need the model named with the
     * weights (a hub folder on a cluster file system is read on the executors only).
     */
    VisionModel modelOnDriver() {
        String w = orNull(str(weights));
        java.nio.file.Path local = null;
        if (w != null) {
            if (isLocal(w))
                local = java.nio.file.Path.of(
                        new org.apache.hadoop.fs.Path(w).toUri().getPath());
            else if (orNull(str(model)) == null && orNull(str(modelSpec)) == null) {
                throw new EdgeClException("weights " + w + " are not on a local path: name the model with "
                        + "setModel or setModelSpec (--model or --model-config)");
            }
        }
        ModelSource src = ModelSource.of(orNull(str(model)), orNull(str(modelSpec)), local)
                .withKeyFormat(str(keyFormat));
        return src.modelOrDemo();
    }

    /**
     * The model is resolved on the driver where that is cheap (a name, a spec, local weights), so
     * a wrong one fails this call with its reason rather than every task. A hub id (downloaded)
     * and a hub folder on a cluster file system are resolved on the executors only.
     */
    private void checkOnDriver() {
        String name = orNull(str(model));
        if (name != null && io.edgecl.models.HubFolder.isHubId(name)) return;
        String w = orNull(str(weights));
        if (w != null && !isLocal(w) && name == null && orNull(str(modelSpec)) == null) return;
        try {
            ExecutorModels.checkClassifier(modelOnDriver());
        } catch (EdgeClException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean isLocal(String path) {
        String scheme = new org.apache.hadoop.fs.Path(path).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    @Override
    public EdgeClClassifier copy(ParamMap extra) {
        return (EdgeClClassifier) defaultCopy(extra);
    }

    /** Reads a Transformer {@link #write()} saved. */
    public static MLReader<EdgeClClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a Transformer saved with {@code write().save(path)}. */
    public static EdgeClClassifier load(String path) {
        return read().load(path);
    }
}
