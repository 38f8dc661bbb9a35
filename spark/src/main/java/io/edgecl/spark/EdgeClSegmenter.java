package io.edgecl.spark;

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
 * A segmentation model as a Spark ML Transformer: the class of every pixel, as {@code edgecl
 * segment} computes it (the image resized as the model's upstream does, the scores brought back
 * to the image's size), and each class's share of the pixels.
 *
 * <p>Output columns: {@code mask} (a struct of {@code width}, {@code height} and
 * {@code classIndex}: one byte per pixel, row by row, the class index), {@code classes} (the
 * classes present, as structs of index, label and share, largest first) and {@code error}. The
 * model is named as for {@link EdgeClClassifier}; with none, the embedded demo segmenter.
 */
public final class EdgeClSegmenter extends EdgeClTransformer<EdgeClSegmenter> {
    private static final long serialVersionUID = 1L;

    private final IntParam size;
    private final Param<String> maskCol;
    private final Param<String> classesCol;

    public EdgeClSegmenter() {
        this(Identifiable$.MODULE$.randomUID("edgeclSegmenter"));
    }

    /** With a given uid (Spark's persistence calls this). */
    public EdgeClSegmenter(String uid) {
        super(uid);
        size = new IntParam(
                this,
                "size",
                "the short side the image is resized to, as `edgecl segment --size` (> 0)",
                ParamValidators.gt(0));
        maskCol = new Param<>(this, "maskCol", "output: width, height and the class index of every pixel");
        classesCol = new Param<>(this, "classesCol", "output: the classes present and their share of the pixels");
        setDefault(size, 520);
        setDefault(maskCol, "mask");
        setDefault(classesCol, "classes");
    }

    public IntParam size() {
        return size;
    }

    public Param<String> maskCol() {
        return maskCol;
    }

    public Param<String> classesCol() {
        return classesCol;
    }

    /** The short side the image is resized to before the model (default 520, as {@code segment}). */
    public EdgeClSegmenter setSize(int value) {
        return (EdgeClSegmenter) set(size, value);
    }

    public EdgeClSegmenter setMaskCol(String value) {
        return (EdgeClSegmenter) set(maskCol, value);
    }

    public EdgeClSegmenter setClassesCol(String value) {
        return (EdgeClSegmenter) set(classesCol, value);
    }

    @Override
    TaskSettings.Task task() {
        return TaskSettings.Task.SEGMENTATION;
    }

    @Override
    List<Output> outputs() {
        StructType mask = new StructType()
                .add("width", DataTypes.IntegerType, false)
                .add("height", DataTypes.IntegerType, false)
                .add("classIndex", DataTypes.BinaryType, false);
        StructType share = new StructType()
                .add("index", DataTypes.IntegerType, false)
                .add("label", DataTypes.StringType, false)
                .add("share", DataTypes.DoubleType, false);
        return List.of(
                new Output(str(maskCol), mask, "setMaskCol"),
                new Output(str(classesCol), DataTypes.createArrayType(share, false), "setClassesCol"));
    }

    @Override
    RowTask rowTask() {
        return new RowTask.Segment((Integer) getOrDefault(size));
    }

    @Override
    public EdgeClSegmenter copy(ParamMap extra) {
        return (EdgeClSegmenter) defaultCopy(extra);
    }

    /** Reads a Transformer {@link #write()} saved. */
    public static MLReader<EdgeClSegmenter> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a Transformer saved with {@code write().save(path)}. */
    public static EdgeClSegmenter load(String path) {
        return read().load(path);
    }
}
