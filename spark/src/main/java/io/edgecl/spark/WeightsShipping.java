package io.edgecl.spark;

import io.edgecl.EdgeClException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkFiles;

/**
 * Gets the weights (a file or a hub folder, on any Hadoop file system) to the executors once.
 * The driver registers the path with {@link SparkContext#addFile(String, boolean)}; each executor
 * fetches it once and the tasks find it with {@link SparkFiles#get}. On a local master a local
 * path is used where it is, with no copy.
 */
final class WeightsShipping {
    private static final String LOCAL = "local:";
    private static final String SHIPPED = "shipped:";

    private WeightsShipping() {}

    /** On the driver: makes {@code path} reachable from the executors; returns where they find it. */
    static String ship(SparkContext sc, String path) {
        return ship(sc, path, false);
    }

    /** As {@link #ship(SparkContext, String)}; {@code copy} ships a local path on a local master too (tests). */
    static String ship(SparkContext sc, String path, boolean copy) {
        URI uri;
        try {
            uri = new org.apache.hadoop.fs.Path(path).toUri();
        } catch (IllegalArgumentException e) {
            throw new EdgeClException("weights path '" + path + "' is not a valid path: " + e.getMessage());
        }
        boolean localFs = uri.getScheme() == null || uri.getScheme().equals("file");
        if (localFs) {
            Path p = Path.of(uri.getPath()).toAbsolutePath();
            if (!Files.exists(p)) throw new EdgeClException("weights " + p + " do not exist");
            if (sc.isLocal() && !copy) return LOCAL + p;
            if (Files.isDirectory(p) && !sc.isLocal()) {
                throw new EdgeClException("weights folder " + p + " is on the driver's disk, and Spark ships no "
                        + "local folder to a cluster's executors: put it on a shared file system (hdfs://, s3a://), "
                        + "or give its weights file with the model named");
            }
            path = p.toUri().toString();
        }
        String name = new org.apache.hadoop.fs.Path(path).getName();
        try {
            sc.addFile(path, true);
        } catch (IllegalArgumentException e) {
            // Spark refuses a second, different path under a name it ships already.
            throw new EdgeClException("cannot ship weights " + path + ": " + e.getMessage());
        }
        return SHIPPED + name;
    }

    /** On an executor: the local path of weights {@link #ship} registered. */
    static Path locate(String where) {
        if (where.startsWith(LOCAL)) return Path.of(where.substring(LOCAL.length()));
        if (where.startsWith(SHIPPED)) return Path.of(SparkFiles.get(where.substring(SHIPPED.length())));
        throw new IllegalArgumentException("not a shipped weights location: " + where);
    }
}
