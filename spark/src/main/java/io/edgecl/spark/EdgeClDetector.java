package io.edgecl.spark;

import java.util.List;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A detection model as a Spark ML Transformer: the boxes {@code edgecl detect} finds, with their
 * classes and scores, in the image's pixels.
 *
 * <p>Output columns: {@code boxes} (structs of {@code index} and {@code label}, the class as the
 * model numbers and names it; {@code score}; and {@code x1}, {@code y1}, {@code x2}, {@code y2},
 * best first, those at or above {@link #setMinScore}) and {@code error}. The model is named as for
 * {@link EdgeClClassifier}; with none, the embedded demo detector.
 */
public final class EdgeClDetector extends EdgeClTransformer<EdgeClDetector> {
    private static final long serialVersionUID = 1L;

    private final DoubleParam minScore;
    private final Param<String> boxesCol;

    public EdgeClDetector() {
        this(Identifiable$.MODULE$.randomUID("edgeclDetector"));
    }

    /** With a given uid (Spark's persistence calls this). */
    public EdgeClDetector(String uid) {
        super(uid);
        minScore = new DoubleParam(
                this,
                "minScore",
                "smallest score kept, as `edgecl detect --score` (in [0, 1])",
                ParamValidators.inRange(0, 1));
        boxesCol = new Param<>(this, "boxesCol", "output: the boxes with class, label and score");
        setDefault(minScore, 0.3);
        setDefault(boxesCol, "boxes");
    }

    public DoubleParam minScore() {
        return minScore;
    }

    public Param<String> boxesCol() {
        return boxesCol;
    }

    /** The smallest score kept (default 0.3, as {@code detect}; the model keeps its own threshold too). */
    public EdgeClDetector setMinScore(double value) {
        return (EdgeClDetector) set(minScore, value);
    }

    public EdgeClDetector setBoxesCol(String value) {
        return (EdgeClDetector) set(boxesCol, value);
    }

    @Override
    TaskSettings.Task task() {
        return TaskSettings.Task.DETECTION;
    }

    @Override
    List<Output> outputs() {
        StructType box = new StructType()
                .add("index", DataTypes.IntegerType, false)
                .add("label", DataTypes.StringType, false)
                .add("score", DataTypes.FloatType, false)
                .add("x1", DataTypes.FloatType, false)
                .add("y1", DataTypes.FloatType, false)
                .add("x2", DataTypes.FloatType, false)
                .add("y2", DataTypes.FloatType, false);
        return List.of(new Output(str(boxesCol), DataTypes.createArrayType(box, false), "setBoxesCol"));
    }

    @Override
    RowTask rowTask() {
        return new RowTask.Detect((Double) getOrDefault(minScore));
    }

    @Override
    public EdgeClDetector copy(ParamMap extra) {
        return (EdgeClDetector) defaultCopy(extra);
    }

    /** Reads a Transformer {@link #write()} saved. */
    public static MLReader<EdgeClDetector> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a Transformer saved with {@code write().save(path)}. */
    public static EdgeClDetector load(String path) {
        return read().load(path);
    }
}
