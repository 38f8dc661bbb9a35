package io.edgecl.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * An image classifier as a Spark ML Transformer: adds the top class, its name, the top-k classes
 * with their probabilities and, on request, the logits to every row, computed by EdgeCL on the
 * executors' OpenCL devices.
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
public final class EdgeClClassifier extends EdgeClTransformer<EdgeClClassifier> {
    private static final long serialVersionUID = 1L;

    private final IntParam topK;
    private final Param<String> predictionCol;
    private final Param<String> labelCol;
    private final Param<String> probabilityCol;
    private final Param<String> logitsCol;

    public EdgeClClassifier() {
        this(Identifiable$.MODULE$.randomUID("edgeclClassifier"));
    }

    /** With a given uid (Spark's persistence calls this). */
    public EdgeClClassifier(String uid) {
        super(uid);
        topK = new IntParam(this, "topK", "classes in the probability column (> 0)", ParamValidators.gt(0));
        predictionCol = new Param<>(this, "predictionCol", "output: the top class index");
        labelCol = new Param<>(this, "labelCol", "output: the top class name");
        probabilityCol = new Param<>(this, "probabilityCol", "output: the top-k classes with probabilities");
        logitsCol = new Param<>(this, "logitsCol", "output: the logits; empty: not written");
        setDefault(topK, 5);
        setDefault(predictionCol, "prediction");
        setDefault(labelCol, "label");
        setDefault(probabilityCol, "probability");
        setDefault(logitsCol, "");
    }

    public IntParam topK() {
        return topK;
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

    /** Classes in the probability column (default 5). */
    public EdgeClClassifier setTopK(int value) {
        return (EdgeClClassifier) set(topK, value);
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

    /** Adds the logits under this name (default: not written). */
    public EdgeClClassifier setLogitsCol(String value) {
        return (EdgeClClassifier) set(logitsCol, value);
    }

    @Override
    TaskSettings.Task task() {
        return TaskSettings.Task.CLASSIFICATION;
    }

    @Override
    List<Output> outputs() {
        StructType probs = new StructType()
                .add("index", DataTypes.IntegerType, false)
                .add("label", DataTypes.StringType, false)
                .add("probability", DataTypes.DoubleType, false);
        List<Output> out = new ArrayList<>();
        out.add(new Output(str(predictionCol), DataTypes.IntegerType, "setPredictionCol"));
        out.add(new Output(str(labelCol), DataTypes.StringType, "setLabelCol"));
        out.add(new Output(str(probabilityCol), DataTypes.createArrayType(probs, false), "setProbabilityCol"));
        if (orNull(str(logitsCol)) != null) {
            out.add(new Output(str(logitsCol), DataTypes.createArrayType(DataTypes.FloatType, false), "setLogitsCol"));
        }
        return out;
    }

    @Override
    RowTask rowTask() {
        return new RowTask.Classify((Integer) getOrDefault(topK), orNull(str(logitsCol)) != null);
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
