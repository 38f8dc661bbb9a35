package io.edgecl.spark;

import io.edgecl.EdgeClException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgecl-spark}: EdgeCL's jobs on Apache Spark. */
@Command(
        name = "edgecl-spark",
        mixinStandardHelpOptions = true,
        description = "EdgeCL on Apache Spark.",
        subcommands = {Main.Eval.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this rather than main). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof EdgeClException || c instanceof IllegalArgumentException) {
                    err.println("edgecl-spark: error: " + c.getMessage());
                    err.flush();
                    return 2;
                }
            }
            err.println("edgecl-spark: internal error: " + e);
            e.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cl.execute(args);
    }

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = "Top-1, top-5 and per-class accuracy over an ImageFolder tree (DIR/<class>/<image>, on any "
                    + "Hadoop file system), classified on the Spark executors and counted with Spark aggregations. "
                    + "With no model named, the embedded demo model.")
    static final class Eval implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--master",
                paramLabel = "URL",
                description = "Spark master (local[N], spark://HOST:PORT, yarn, k8s://…); default: the one "
                        + "spark-submit gives, else local[*].")
        String master;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "ImageFolder tree.")
        String data;

        @Option(
                names = {"-m", "--model"},
                paramLabel = "NAME",
                description = "A registered model or hub id.")
        String model;

        @Option(names = "--model-config", paramLabel = "FILE.json", description = "A model spec file.")
        Path config;

        @Option(
                names = {"-w", "--weights"},
                paramLabel = "PATH",
                description = "Weights file or timm hub folder, on any Hadoop file system.")
        String weights;

        @Option(
                names = "--key-format",
                defaultValue = "auto",
                paramLabel = "auto|timm|official|torchvision",
                description = "Key layout of the weights (default: detected).")
        String keyFormat;

        @Option(
                names = "--device",
                paramLabel = "D",
                description = "OpenCL device on each executor (as `edgecl devices` lists it).")
        String device;

        @Option(
                names = "--precision",
                defaultValue = "fp32",
                paramLabel = "fp32|fp16-storage|fp16|auto",
                description = "Storage precision (default: fp32).")
        String precision;

        @Option(
                names = "--batch",
                defaultValue = "64",
                paramLabel = "B",
                description = "Images per forward (default: 64).")
        int batch;

        @Option(
                names = "--partitions",
                defaultValue = "0",
                paramLabel = "N",
                description =
                        "Repartition the files into N tasks (a shuffle of their bytes; default: the data source's "
                                + "split: up to 128 MB of files a task, each file counted as its bytes plus 4 KB, and at least one "
                                + "task per core).")
        int partitions;

        @Option(
                names = "--warmup",
                description = "Run the job once before the measured run, so images/s leaves out start-up "
                        + "(code generation, the first session's open).")
        boolean warmup;

        @Option(names = "--json", description = "One JSON object, as `edgecl eval --json` prints it.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            if (batch <= 0) throw new EdgeClException("--batch must be positive, got " + batch);
            if (model != null && config != null) {
                throw new EdgeClException("give either -m " + model + " or --model-config " + config + ", not both");
            }
            EdgeClClassifier c = new EdgeClClassifier()
                    .setKeyFormat(keyFormat)
                    .setPrecision(precision)
                    .setBatchSize(batch);
            if (model != null) c.setModel(model);
            if (config != null) {
                try {
                    c.setModelSpec(Files.readString(config, StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new EdgeClException("cannot read model config " + config + ": " + e.getMessage(), e);
                }
            }
            if (weights != null) c.setWeights(weights);
            if (device != null) c.setDevice(device);
            SparkSession.Builder b = SparkSession.builder().appName("edgecl eval");
            if (master != null) b = b.master(master);
            else if (!new org.apache.spark.SparkConf().contains("spark.master")) b = b.master("local[*]");
            // a session that was running before (a caller's in this JVM) is left running
            boolean ours = SparkSession.getActiveSession().isEmpty()
                    && SparkSession.getDefaultSession().isEmpty();
            SparkSession spark = b.getOrCreate();
            try {
                if (warmup) SparkEval.run(spark, c, data, partitions);
                SparkEval.run(spark, c, data, partitions)
                        .print(spec.commandLine().getOut(), json);
            } finally {
                if (ours) spark.stop();
            }
            return 0;
        }
    }
}
