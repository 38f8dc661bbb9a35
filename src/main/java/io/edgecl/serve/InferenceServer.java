package io.edgecl.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.edgecl.DeviceFaultException;
import io.edgecl.EdgeClException;
import io.edgecl.api.Prediction;
import io.edgecl.api.Session;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.Detector;
import io.edgecl.models.SsdPostprocess;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small HTTP inference server on the JDK's own HTTP server (module jdk.httpserver: no
 * dependency, a few hundred KB in a jlinked runtime, which matters on a board).
 *
 * <ul>
 * <li>{@code POST /v1/classify[?topk=K]}: an image body (JPEG, PNG, BMP, GIF) or
 *     {@code multipart/form-data} with several; JSON with the top-k of each.
 * <li>{@code POST /v1/predict}: a safetensors body holding {@code input} [N, 3, H, W]; a
 *     safetensors body with {@code logits} back.
 * <li>{@code GET /v1/models}, {@code GET /health}, {@code GET /metrics} (Prometheus text).
 * </ul>
 *
 * Bad input gets 400, 413 or 415 with a JSON {@code error}; a full queue 503 with
 * {@code Retry-After}; a request not answered in time 503 as well. No stack trace reaches a
 * client, and no file a client names is read or written.
 */
public final class InferenceServer implements AutoCloseable {
    /** The limits and batching parameters. */
    public record Options(
            String host,
            int port,
            int maxBatch,
            int maxWaitMs,
            int queue,
            long maxBodyBytes,
            long maxPixels,
            int timeoutMs,
            int threads) {
        public Options {
            if (maxBatch < 1 || maxBatch > 256)
                throw new EdgeClException("--max-batch must be in [1, 256], got " + maxBatch);
            if (maxWaitMs < 0 || maxWaitMs > 10_000)
                throw new EdgeClException("--max-wait-ms must be in [0, 10000], got " + maxWaitMs);
            if (queue < 1) throw new EdgeClException("--queue must be positive, got " + queue);
            if (port < 0 || port > 65535) throw new EdgeClException("--port must be in [0, 65535], got " + port);
            if (maxBodyBytes < 1) throw new EdgeClException("--max-body must be positive");
            if (timeoutMs < 1) throw new EdgeClException("--timeout-ms must be positive");
        }
    }

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final VisionModel model;
    private final Labels labels;
    private final Preprocessor pre;
    private final List<Session> sessions;
    private final Options opt;
    private final Batcher batcher;
    private final HttpServer http;
    private final ExecutorService pool;
    private final String precision;
    /** Runs segmentation and detection requests, one per session at a time. */
    private final ExecutorService direct;

    private final java.util.concurrent.atomic.AtomicInteger nextSession =
            new java.util.concurrent.atomic.AtomicInteger();

    public InferenceServer(VisionModel model, Labels labels, Preprocessor pre, List<Session> sessions, Options opt)
            throws IOException {
        this.model = model;
        this.labels = labels;
        this.pre = pre;
        this.sessions = List.copyOf(sessions);
        this.opt = opt;
        this.precision = sessions.get(0).device().precision().id();
        // The JDK server's own limits on reading a request and writing a response (seconds).
        long secs = Math.max(1, (opt.timeoutMs() + 999) / 1000);
        System.setProperty("sun.net.httpserver.maxReqTime", String.valueOf(secs));
        System.setProperty("sun.net.httpserver.maxRspTime", String.valueOf(secs + 5));
        // After an early answer (413 for a body over --max-body) the JDK server reads and drops
        // what is left of the request, up to this many bytes, before it closes: a client still
        // sending then reads its answer instead of a connection reset (64 KiB by default).
        System.setProperty(
                "sun.net.httpserver.drainAmount", String.valueOf(Math.min(opt.maxBodyBytes(), 1L << 30) + (64 << 10)));
        // Headers and body go out as separate writes: without TCP_NODELAY, Nagle and the client's
        // delayed ACK add ~40 ms to every answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // Every plan a batch can need (1, 2, 4, ... max-batch images), built before the first request.
        // (a segmenter runs each image at its own size and a detector at its fixed one, one at a time)
        boolean classifier = model.primaryOutput().equals("logits");
        for (Session s : sessions) {
            if (classifier) {
                for (int b : Batcher.sizes(opt.maxBatch())) s.prepare(b, pre.height(), pre.width());
            } else if (model instanceof Detector d) {
                s.prepare(1, d.inputSize(), d.inputSize());
            }
        }
        this.direct = java.util.concurrent.Executors.newFixedThreadPool(sessions.size(), r -> {
            Thread t = new Thread(r, "edgecl-dense");
            t.setDaemon(true);
            return t;
        });
        this.batcher = new Batcher(sessions, opt.maxBatch(), opt.maxWaitMs(), opt.queue());
        this.http = HttpServer.create(new InetSocketAddress(opt.host(), opt.port()), 128);
        // The JDK server reads a request on its executor's thread, so a client that sends its
        // request slowly holds a thread until --timeout-ms closes it: the pool grows with the
        // requests in flight (idle keep-alive connections hold none) up to MAX_IN_FLIGHT, beyond
        // which the server closes new connections at once, so slow clients cannot starve the rest.
        this.pool = new java.util.concurrent.ThreadPoolExecutor(
                Math.min(opt.threads(), MAX_IN_FLIGHT),
                MAX_IN_FLIGHT,
                EXTRA_THREAD_IDLE_SECONDS,
                TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "edgecl-http");
                    t.setDaemon(true);
                    return t;
                });
        http.setExecutor(pool);
        http.createContext("/", this::handle);
    }

    public void start() {
        http.start();
    }

    /** The port it listens on (useful with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public double meanBatch() {
        return batcher.metrics().meanBatch();
    }

    /** A request's failure with the status and JSON error to answer. */
    static final class HttpError extends RuntimeException {
        final int status;
        final String kind;

        HttpError(int status, String kind, String message) {
            super(message, null, false, false);
            this.status = status;
            this.kind = kind;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        long t0 = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        Metrics m = batcher.metrics();
        m.request(endpoint(path));
        try {
            switch (path) {
                case "/v1/classify" -> {
                    method(ex, "POST");
                    classify(ex);
                }
                case "/v1/predict" -> {
                    method(ex, "POST");
                    predict(ex);
                }
                case "/v1/segment" -> {
                    method(ex, "POST");
                    segment(ex);
                }
                case "/v1/detect" -> {
                    method(ex, "POST");
                    detect(ex);
                }
                case "/v1/models" -> {
                    method(ex, "GET");
                    json(ex, 200, modelsDoc());
                }
                case "/health" -> {
                    method(ex, "GET");
                    health(ex);
                }
                case "/metrics" -> {
                    method(ex, "GET");
                    send(ex, 200, "text/plain; version=0.0.4", m.render().getBytes(StandardCharsets.UTF_8));
                }
                default ->
                    throw new HttpError(
                            404,
                            "not_found",
                            "no endpoint " + path
                                    + " (try POST /v1/classify, /v1/segment, /v1/detect or /v1/predict, GET /v1/models, "
                                    + "/health, /metrics)");
            }
        } catch (HttpError e) {
            m.error(e.kind);
            if (e.status == 503) ex.getResponseHeaders().set("Retry-After", "1");
            json(ex, e.status, Map.of("error", e.getMessage()));
        } catch (Batcher.Overloaded e) {
            m.error("overloaded");
            ex.getResponseHeaders().set("Retry-After", "1");
            json(
                    ex,
                    503,
                    Map.of("error", "the server is at capacity (" + opt.queue() + " images queued); retry later"));
        } catch (EdgeClException e) {
            m.error("bad_request");
            json(ex, 400, Map.of("error", e.getMessage()));
        } catch (IOException e) {
            m.error("io");
            ex.close(); // the client went away
            return;
        } catch (RuntimeException e) {
            m.error("internal");
            System.err.println("edgecl serve: internal error on " + path + ": " + e);
            json(ex, 500, Map.of("error", "internal error"));
        } finally {
            m.latency((System.nanoTime() - t0) / 1e9);
        }
    }

    private static String endpoint(String path) {
        return switch (path) {
            case "/v1/classify", "/v1/segment", "/v1/detect", "/v1/predict", "/v1/models", "/health", "/metrics" ->
                path;
            default -> "other";
        };
    }

    private static void method(HttpExchange ex, String want) {
        if (!ex.getRequestMethod().equals(want)) {
            ex.getResponseHeaders().set("Allow", want);
            throw new HttpError(405, "method", ex.getRequestURI().getPath() + " takes " + want);
        }
    }

    private Map<String, Object> modelsDoc() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", model.name());
        d.put("family", model.family());
        d.put("input_size", List.of(3, pre.height(), pre.width()));
        d.put("num_classes", model.numClasses());
        d.put("precision", precision);
        List<String> devices = new ArrayList<>();
        for (Session s : sessions) devices.add(s.device().name());
        d.put("devices", devices);
        d.put("max_batch", opt.maxBatch());
        return Map.of("models", List.of(d));
    }

    /** The one image of a request: the body, or the first file of a multipart body. */
    private byte[] oneImage(HttpExchange ex) throws IOException {
        String type = contentType(ex);
        byte[] body = body(ex);
        if (type.startsWith("multipart/form-data")) {
            List<byte[]> parts = Multipart.parts(body, type);
            if (parts.size() != 1) {
                throw new HttpError(400, "bad_request", "send one image per request here, got " + parts.size());
            }
            return parts.get(0);
        }
        if (type.startsWith("image/") || type.startsWith("application/octet-stream") || type.isEmpty()) return body;
        throw new HttpError(415, "unsupported_media", "send an image or multipart/form-data, not " + type);
    }

    private io.edgecl.io.image.RgbImage decode(byte[] image) {
        try {
            return ImageDecoder.decode(image, "the image", opt.maxPixels());
        } catch (EdgeClException e) {
            throw new HttpError(400, "bad_request", e.getMessage());
        }
    }

    /** Runs one input on the next session, off the request thread, with the server's timeout. */
    private Map<String, HostTensor> runDirect(HostTensor x, java.util.Set<String> outputs) {
        Session s = sessions.get(Math.floorMod(nextSession.getAndIncrement(), sessions.size()));
        return await(CompletableFuture.supplyAsync(() -> s.run(x, outputs).asMap(), direct));
    }

    /**
     * POST /v1/segment[?format=png]: the class of every pixel, as {@code edgecl segment} computes
     * it; JSON with the classes' shares and the mask as a base64 palette PNG, or the PNG itself.
     */
    private void segment(HttpExchange ex) throws IOException {
        if (!model.primaryOutput().equals("out")) {
            throw new HttpError(400, "bad_request", model.name() + " is not a segmentation model; use /v1/classify");
        }
        io.edgecl.io.image.RgbImage img = decode(oneImage(ex));
        long t0 = System.nanoTime();
        Session session = sessions.get(Math.floorMod(nextSession.getAndIncrement(), sessions.size()));
        int shortSide = model.preprocess().size();
        io.edgecl.api.SegmentationMask mask =
                await(CompletableFuture.supplyAsync(() -> session.segment(img, shortSide), direct));
        java.awt.image.BufferedImage png =
                io.edgecl.io.image.MaskImages.palette(mask.classIndex(), mask.width(), mask.height());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(png, "png", buf);
        String format = query(ex, "format");
        if ("png".equals(format)) {
            send(ex, 200, "image/png", buf.toByteArray());
            return;
        }
        long[] hist = mask.histogram();
        List<Map<String, Object>> classes = new ArrayList<>();
        for (int k = 0; k < hist.length; k++) {
            if (hist[k] == 0) continue;
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("index", k);
            c.put("label", labels.name(k));
            c.put("fraction", (double) hist[k] / ((long) mask.width() * mask.height()));
            classes.add(c);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.name());
        doc.put("width", img.width());
        doc.put("height", img.height());
        doc.put("classes", classes);
        doc.put("mask_png_base64", java.util.Base64.getEncoder().encodeToString(buf.toByteArray()));
        doc.put("latency_ms", (System.nanoTime() - t0) / 1e6);
        json(ex, 200, doc);
    }

    /** POST /v1/detect[?score=S]: boxes with labels and scores in the image's pixels, as {@code edgecl detect} gives them. */
    private void detect(HttpExchange ex) throws IOException {
        if (!(model instanceof Detector d)) {
            throw new HttpError(400, "bad_request", model.name() + " is not a detection model");
        }
        double minScore = 0.3;
        String q = query(ex, "score");
        if (q != null) {
            try {
                minScore = Double.parseDouble(q);
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad_request", "score must be a number, got '" + q + "'");
            }
            if (!(minScore >= 0 && minScore <= 1)) throw new HttpError(400, "bad_request", "score must be in [0, 1]");
        }
        io.edgecl.io.image.RgbImage img = decode(oneImage(ex));
        long t0 = System.nanoTime();
        Map<String, HostTensor> out = runDirect(d.transform(img), java.util.Set.copyOf(d.headOutputs()));
        int size = d.inputSize();
        SsdPostprocess.Detections det = d.detections(out, 0, img.height(), img.width());
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < det.size(); i++) {
            if (det.scores()[i] < minScore) continue;
            float[] b = det.boxes()[i];
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("label", det.labels()[i]);
            o.put("name", labels.name(det.labels()[i]));
            o.put("score", det.scores()[i]);
            o.put("box", List.of(b[0], b[1], b[2], b[3]));
            list.add(o);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.name());
        doc.put("width", img.width());
        doc.put("height", img.height());
        doc.put("detections", list);
        doc.put("latency_ms", (System.nanoTime() - t0) / 1e6);
        json(ex, 200, doc);
    }

    private void classify(HttpExchange ex) throws IOException {
        if (!model.primaryOutput().equals("logits")) {
            throw new HttpError(
                    400,
                    "bad_request",
                    model.name() + " is not a classifier; use /v1/"
                            + (model instanceof Detector ? "detect" : "segment"));
        }
        int topk = Math.min(model.numClasses(), queryInt(ex, "topk", 5));
        String type = contentType(ex);
        List<byte[]> images = new ArrayList<>();
        byte[] body = body(ex);
        if (type.startsWith("multipart/form-data")) {
            images.addAll(Multipart.parts(body, type));
            if (images.isEmpty()) throw new HttpError(400, "bad_request", "the multipart body holds no file");
        } else if (type.startsWith("image/") || type.startsWith("application/octet-stream") || type.isEmpty()) {
            images.add(body);
        } else {
            throw new HttpError(
                    415,
                    "unsupported_media",
                    "send an image (image/jpeg, image/png, image/webp, image/tiff, image/bmp, image/gif) or "
                            + "multipart/form-data, not " + type);
        }
        if (images.size() > opt.queue()) {
            throw new HttpError(413, "too_large", images.size() + " images in one request; at most " + opt.queue());
        }
        long t0 = System.nanoTime();
        List<CompletableFuture<HostTensor>> futures = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            HostTensor x;
            try {
                x = pre.apply(ImageDecoder.decode(images.get(i), "image " + i, opt.maxPixels()));
            } catch (EdgeClException e) {
                throw new HttpError(400, "bad_request", e.getMessage());
            }
            futures.add(batcher.submit(x, false));
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (CompletableFuture<HostTensor> f : futures) {
            HostTensor logits = await(f);
            results.add(Map.of(
                    "top", Prediction.toMaps(Prediction.topk(logits, topk).get(0), labels::name)));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", model.name());
        doc.put("results", results);
        doc.put("latency_ms", (System.nanoTime() - t0) / 1e6);
        json(ex, 200, doc);
    }

    private void predict(HttpExchange ex) throws IOException {
        HostTensor input;
        try {
            input = PredictBody.input(body(ex), opt.maxBatch(), pre.height(), pre.width());
        } catch (PredictBody.Refused e) {
            throw new HttpError(e.status(), e.status() == 413 ? "too_large" : "bad_request", e.getMessage());
        }
        HostTensor logits = await(batcher.submit(input, true));
        send(ex, 200, "application/octet-stream", PredictBody.answer(logits, model.name()));
    }

    /**
     * 200 {"status": "ok"} while forwards succeed; 503 {"status": "failing"} once
     * {@value #FAILING_AFTER} forwards in a row failed on the device (a load balancer then sends
     * traffic elsewhere), until one succeeds again. Both say how many faults there were and the last.
     */
    private void health(HttpExchange ex) throws IOException {
        int inARow = batcher.faultsInARow();
        boolean failing = inARow >= FAILING_AFTER;
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("status", failing ? "failing" : "ok");
        doc.put("queue", batcher.depth());
        doc.put("device_faults", batcher.faults());
        doc.put("device_faults_in_a_row", inARow);
        if (!batcher.lastFault().isEmpty()) doc.put("last_device_fault", batcher.lastFault());
        json(ex, failing ? 503 : 200, doc);
    }

    /** How long a thread beyond --threads waits for another request before it ends. */
    static final int EXTRA_THREAD_IDLE_SECONDS = 5;

    /** Requests read or answered at once, slow ones included; further connections are closed. */
    static final int MAX_IN_FLIGHT = 1024;

    /** Forwards in a row that must fail on the device before /health says the server is failing. */
    static final int FAILING_AFTER = 3;

    private <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(opt.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new HttpError(503, "timeout", "no answer within " + opt.timeoutMs() + " ms; retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "timeout", "the server is shutting down");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DeviceFaultException fault) {
                // the device failed on this batch, not the request: the next batch may run
                throw new HttpError(
                        503,
                        "device_fault",
                        "the device failed on this request's batch (" + fault.codeName() + " in " + fault.call()
                                + "); retry later");
            }
            if (e.getCause() instanceof EdgeClException ece) throw new HttpError(400, "bad_request", ece.getMessage());
            throw new HttpError(500, "internal", "internal error");
        }
    }

    private byte[] body(HttpExchange ex) throws IOException {
        String len = ex.getRequestHeaders().getFirst("Content-Length");
        if (len != null) {
            long n;
            try {
                n = Long.parseLong(len.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad_request", "Content-Length is not a number");
            }
            if (n > opt.maxBodyBytes()) {
                throw new HttpError(413, "too_large", "the body is " + n + " bytes; at most " + opt.maxBodyBytes());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        // not closed here: closing drains what is left of the body, which must wait until the
        // answer is out (the server closes it after the response, draining at most drainAmount)
        InputStream in = ex.getRequestBody();
        for (int r; (r = in.read(buf)) > 0; ) {
            out.write(buf, 0, r);
            if (out.size() > opt.maxBodyBytes()) {
                throw new HttpError(413, "too_large", "the body is over " + opt.maxBodyBytes() + " bytes");
            }
        }
        if (out.size() == 0) throw new HttpError(400, "bad_request", "the body is empty");
        return out.toByteArray();
    }

    private static String contentType(HttpExchange ex) {
        String t = ex.getRequestHeaders().getFirst("Content-Type");
        return t == null
                ? ""
                : t.trim().toLowerCase(Locale.ROOT).startsWith("multipart/")
                        ? t.trim()
                        : t.trim().toLowerCase(Locale.ROOT);
    }

    /** A query parameter's decoded value, or null. */
    private static String query(HttpExchange ex, String key) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(key)) return eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
        }
        return null;
    }

    private static int queryInt(HttpExchange ex, String key, int def) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return def;
        for (String kv : q.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            if (!k.equals(key)) continue;
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            try {
                int n = Integer.parseInt(v);
                if (n < 1) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad_request", "?" + key + " must be a positive integer, got '" + v + "'");
            }
        }
        return def;
    }

    private static void json(HttpExchange ex, int status, Object doc) throws IOException {
        send(ex, status, "application/json", GSON.toJson(doc).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        }
    }

    /** Stops accepting, answers what was accepted (up to {@code graceSeconds}), then releases the sessions. */
    public void stop(int graceSeconds) {
        batcher.close();
        http.stop(graceSeconds);
        pool.shutdown();
        direct.shutdown();
        try {
            // a dense request still running holds its session: let it finish before the close
            direct.awaitTermination(Math.max(1, opt.timeoutMs()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Session s : sessions) s.close();
    }

    @Override
    public void close() {
        stop(0);
    }
}
