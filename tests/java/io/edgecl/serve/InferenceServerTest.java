package io.edgecl.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.cl.ClContext;
import io.edgecl.cli.Main;
import io.edgecl.io.SafeTensorsWriter;
import io.edgecl.io.WeightFile;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.DemoModel;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code edgecl serve} over loopback: batched answers equal {@code edgecl classify}'s, an
 * overload gets 503s with Retry-After (not timeouts), bad requests get 4xx with a JSON error.
 */
class InferenceServerTest {
    private static final Path SAMPLES = Path.of("src/main/resources/io/edgecl/demo/samples");
    private final HttpClient client = HttpClient.newHttpClient();

    private static InferenceServer server(ClContext ctx, int maxBatch, int waitMs, int queue, long maxBody)
            throws Exception {
        VisionModel m = DemoModel.load();
        Session s =
                Session.open(m, DemoModel.weights(), SessionOptions.defaults().withDevice(Device.wrap(ctx)));
        InferenceServer srv = new InferenceServer(
                m,
                Labels.of(m.labels()),
                new Preprocessor(m.preprocess()),
                List.of(s),
                new InferenceServer.Options("127.0.0.1", 0, maxBatch, waitMs, queue, maxBody, 1_000_000, 20_000, 32));
        srv.start();
        return srv;
    }

    private HttpResponse<byte[]> post(InferenceServer srv, String path, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srv.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) b.header("Content-Type", type);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> get(InferenceServer srv, String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srv.port() + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<Path> samples() throws Exception {
        try (Stream<Path> s = Files.list(SAMPLES)) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
    }

    /** What `edgecl classify --json` prints for each sample: index and probability of the top-5. */
    private static List<JsonArray> classifyCli(List<Path> images) {
        List<String> args = new ArrayList<>(List.of("classify", "--json"));
        for (Path p : images) args.add(p.toString());
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute(args.toArray(String[]::new)));
        List<JsonArray> tops = new ArrayList<>();
        // JSON Lines: one object per image
        for (String line : out.toString().strip().split("\n")) {
            tops.add(JsonParser.parseString(line).getAsJsonObject().getAsJsonArray("top"));
        }
        return tops;
    }

    /**
     * A device fault fails its batch with 503 and Retry-After (not a 400 blaming the request), the
     * next batch is served, and /health says "failing" (503) while forwards fail in a row, "ok"
     * again after one succeeds. Faults injected with real OpenCL codes (FaultyBinding).
     */
    @Test
    void aDeviceFaultFailsItsBatchOnlyAndHealthTellsAFailingDevice() throws Exception {
        byte[] png = Files.readAllBytes(samples().get(0));
        io.edgecl.cl.ClDevice d = TestSupport.context().device();
        io.edgecl.cl.FaultyBinding faulty = new io.edgecl.cl.FaultyBinding(d.binding());
        ClContext ctx = io.edgecl.cl.FaultyBinding.context(faulty, d);
        InferenceServer srv = server(ctx, 8, 1, 64, 1 << 20);
        try {
            HttpResponse<byte[]> good = post(srv, "/v1/classify", "image/png", png);
            assertEquals(200, good.statusCode());
            assertEquals(200, get(srv, "/health").statusCode());
            // the server's pool has made its threads (one per request up to its size) before the count
            for (int i = 0; i < 40; i++) post(srv, "/v1/classify", "image/png", png);
            long bytes = ctx.liveBytes();
            int threads = Thread.activeCount();
            long fds = TestSupport.openFiles();
            faulty.failOnce(io.edgecl.cl.FaultyBinding.Op.ENQUEUE, 3, -5);
            HttpResponse<byte[]> r = post(srv, "/v1/classify", "image/png", png);
            String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(503, r.statusCode(), body);
            assertTrue(body.contains("CL_OUT_OF_RESOURCES"), body);
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            HttpResponse<byte[]> after = post(srv, "/v1/classify", "image/png", png);
            assertEquals(200, after.statusCode(), "the next batch is served");
            assertEquals(results(good), results(after), "and right");
            // a device that keeps failing
            faulty.failFrom(io.edgecl.cl.FaultyBinding.Op.ENQUEUE, 1, -5);
            for (int i = 0; i < InferenceServer.FAILING_AFTER; i++) {
                assertEquals(503, post(srv, "/v1/classify", "image/png", png).statusCode());
            }
            HttpResponse<String> h = get(srv, "/health");
            assertEquals(503, h.statusCode(), h.body());
            var doc = JsonParser.parseString(h.body()).getAsJsonObject();
            assertEquals("failing", doc.get("status").getAsString());
            assertEquals(
                    InferenceServer.FAILING_AFTER,
                    doc.get("device_faults_in_a_row").getAsInt());
            assertEquals(
                    1 + InferenceServer.FAILING_AFTER, doc.get("device_faults").getAsInt());
            assertTrue(doc.get("last_device_fault").getAsString().contains("launch 1 of "), h.body());
            faulty.heal();
            assertEquals(200, post(srv, "/v1/classify", "image/png", png).statusCode());
            assertEquals(200, get(srv, "/health").statusCode(), "ok again after a forward succeeds");
            assertTrue(get(srv, "/metrics").body().contains("device_fault"), "counted in the metrics");
            assertEquals(bytes, ctx.liveBytes(), "no device memory left behind by the failed forwards");
            System.err.printf(
                    "device faults: device bytes %d -> %d, threads %d -> %d, open files %d -> %d%n",
                    bytes, ctx.liveBytes(), threads, Thread.activeCount(), fds, TestSupport.openFiles());
        } finally {
            srv.close();
            faulty.heal();
            ctx.close();
        }
    }

    /**
     * 200 clients that send their request a byte per second hold a connection each, but not the
     * server: a normal client's p99 stays within twice its idle figure (plus 20 ms of the
     * machine's own noise). With a fixed pool of connection threads, the slow clients held every
     * thread and the normal client's requests waited until they timed out.
     */
    @Test
    void slowClientsDoNotStopTheOthers() throws Exception {
        byte[] png = Files.readAllBytes(samples().get(0));
        ClContext ctx = new ClContext(TestSupport.context().device());
        InferenceServer srv = server(ctx, 8, 1, 64, 1 << 20);
        List<java.net.Socket> slow = new ArrayList<>();
        java.util.concurrent.ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try {
            p99Ms(srv, png, 20);
            double idle = p99Ms(srv, png, 40);
            for (int i = 0; i < 200; i++) {
                java.net.Socket so = new java.net.Socket("127.0.0.1", srv.port());
                so.getOutputStream()
                        .write("POST /v1/classify HTTP/1.1\r\nHost: x\r\nX-Slow: "
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                slow.add(so);
            }
            trickle.scheduleAtFixedRate(
                    () -> {
                        for (java.net.Socket so : slow) {
                            try {
                                so.getOutputStream().write('a');
                            } catch (IOException e) {
                                // closed by the server: what a timeout does
                            }
                        }
                    },
                    0,
                    1,
                    TimeUnit.SECONDS);
            Thread.sleep(1000);
            double busy = p99Ms(srv, png, 40);
            System.err.printf(
                    "slow clients: normal client p99 %.1f ms idle, %.1f ms beside 200 slow clients%n", idle, busy);
            assertTrue(busy <= 2 * idle + 20, "p99 " + busy + " ms beside 200 slow clients, " + idle + " ms idle");
        } finally {
            trickle.shutdownNow();
            for (java.net.Socket so : slow) so.close();
            srv.close();
            ctx.close();
        }
    }

    /** The p99 latency of {@code n} classify requests in a row, each of which must be answered 200 within 10 s. */
    private double p99Ms(InferenceServer srv, byte[] png, int n) throws Exception {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + srv.port() + "/v1/classify"))
                            .timeout(java.time.Duration.ofSeconds(10))
                            .header("Content-Type", "image/png")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[(int) Math.ceil(0.99 * n) - 1];
    }

    private static com.google.gson.JsonElement results(HttpResponse<byte[]> r) {
        return JsonParser.parseString(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject()
                .get("results");
    }

    @Test
    void fourClientsGetTheAnswersOfClassify() throws Exception {
        List<Path> images = samples();
        List<JsonArray> want = classifyCli(images);
        List<byte[]> bodies = new ArrayList<>();
        for (Path p : images) bodies.add(Files.readAllBytes(p));
        ClContext ctx = new ClContext(TestSupport.context().device());
        InferenceServer srv = server(ctx, 8, 10, 64, 1 << 20);
        try {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger wrong = new AtomicInteger(), ok = new AtomicInteger();
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        int k = (client * 7 + i) % images.size();
                        HttpResponse<byte[]> r = post(srv, "/v1/classify?topk=5", "image/png", bodies.get(k));
                        if (r.statusCode() != 200) {
                            wrong.incrementAndGet();
                            continue;
                        }
                        JsonArray top = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8))
                                .getAsJsonObject()
                                .getAsJsonArray("results")
                                .get(0)
                                .getAsJsonObject()
                                .getAsJsonArray("top");
                        if (!same(want.get(k), top)) wrong.incrementAndGet();
                        else ok.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            pool.shutdown();
            assertEquals(0, wrong.get(), "answers that differ from edgecl classify");
            assertEquals(800, ok.get());
            assertTrue(srv.meanBatch() > 1.0, "concurrent requests share forwards: mean batch " + srv.meanBatch());

            // Several images in one multipart request, answered in order.
            String boundary = "edgecl-test-boundary";
            java.io.ByteArrayOutputStream mp = new java.io.ByteArrayOutputStream();
            for (int k = 0; k < 3; k++) {
                mp.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + k
                                + ".png\"\r\nContent-Type: image/png\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                mp.write(bodies.get(k));
                mp.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            mp.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            HttpResponse<byte[]> r =
                    post(srv, "/v1/classify", "multipart/form-data; boundary=" + boundary, mp.toByteArray());
            assertEquals(200, r.statusCode(), new String(r.body()));
            JsonArray results = JsonParser.parseString(new String(r.body()))
                    .getAsJsonObject()
                    .getAsJsonArray("results");
            assertEquals(3, results.size());
            for (int k = 0; k < 3; k++)
                assertTrue(same(want.get(k), results.get(k).getAsJsonObject().getAsJsonArray("top")));

            // WebP and CMYK JPEG bodies are read like files: the same top-1 as Pillow's PNG of the image.
            for (String f : List.of("cat-lossless.webp", "cat-cmyk.jpg")) {
                byte[] body = Files.readAllBytes(Path.of("tests/resources/images/formats", f));
                HttpResponse<byte[]> w =
                        post(srv, "/v1/classify?topk=1", f.endsWith("webp") ? "image/webp" : "image/jpeg", body);
                assertEquals(200, w.statusCode(), f + ": " + new String(w.body()));
                JsonArray top = JsonParser.parseString(new String(w.body()))
                        .getAsJsonObject()
                        .getAsJsonArray("results")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonArray("top");
                assertEquals("Sandal", top.get(0).getAsJsonObject().get("label").getAsString(), f);
            }

            // predict: a safetensors body in, logits out, equal to a direct run.
            Path in = Files.createTempFile("in", ".safetensors");
            HostTensor x = new Preprocessor(DemoModel.load().preprocess()).loadBatch(images.subList(0, 3));
            SafeTensorsWriter.write(in, Map.of("input", x));
            HttpResponse<byte[]> p = post(srv, "/v1/predict", "application/octet-stream", Files.readAllBytes(in));
            assertEquals(200, p.statusCode(), new String(p.body()));
            Files.write(in, p.body());
            float[] logits;
            try (WeightFile f = WeightFile.open(in)) {
                logits = f.read("logits").data();
            }
            Files.delete(in);
            try (Session s = Session.open(
                    DemoModel.load(),
                    DemoModel.weights(),
                    SessionOptions.defaults().withDevice(Device.wrap(ctx)))) {
                TestSupport.assertClose(s.run(x).get("logits").data(), logits, 1e-5, "predict over HTTP");
            }

            String metrics = get(srv, "/metrics").body();
            assertTrue(
                    metrics.contains("edgecl_batch_size_bucket")
                            && metrics.contains("edgecl_request_latency_seconds_count")
                            && metrics.contains("edgecl_queue_depth"),
                    metrics);
            for (String gauge : new String[] {
                "edgecl_device_bytes",
                "jvm_heap_used_bytes",
                "jvm_threads_live",
                "process_resident_memory_bytes",
                "process_open_fds"
            }) {
                var value = java.util.regex.Pattern.compile("(?m)^" + gauge + " (\\d+)$")
                        .matcher(metrics);
                assertTrue(value.find() && Long.parseLong(value.group(1)) > 0, gauge + " in " + metrics);
            }
            JsonObject models =
                    JsonParser.parseString(get(srv, "/v1/models").body()).getAsJsonObject();
            assertEquals(
                    10,
                    models.getAsJsonArray("models")
                            .get(0)
                            .getAsJsonObject()
                            .get("num_classes")
                            .getAsInt());
            assertEquals(200, get(srv, "/health").statusCode());
        } finally {
            srv.close();
            ctx.close();
        }
    }

    private static boolean same(JsonArray want, JsonArray got) {
        if (want.size() != got.size()) return false;
        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.get(i).getAsJsonObject(), g = got.get(i).getAsJsonObject();
            if (w.get("index").getAsInt() != g.get("index").getAsInt()) return false;
            if (Math.abs(w.get("probability").getAsDouble()
                            - g.get("probability").getAsDouble())
                    > 1e-5) return false;
        }
        return true;
    }

    @Test
    void overloadGets503AndBadRequestsGet4xx() throws Exception {
        ClContext ctx = new ClContext(TestSupport.context().device());
        InferenceServer srv = server(ctx, 1, 0, 2, 64 * 1024);
        try {
            byte[] img = Files.readAllBytes(samples().get(0));
            ExecutorService pool = Executors.newFixedThreadPool(24);
            List<Future<HttpResponse<byte[]>>> fs = new ArrayList<>();
            for (int i = 0; i < 96; i++) fs.add(pool.submit(() -> post(srv, "/v1/classify", "image/png", img)));
            int ok = 0, busy = 0;
            for (Future<HttpResponse<byte[]>> f : fs) {
                HttpResponse<byte[]> r = f.get();
                if (r.statusCode() == 200) ok++;
                else {
                    assertEquals(503, r.statusCode(), new String(r.body()));
                    assertTrue(r.headers().firstValue("Retry-After").isPresent());
                    assertTrue(new String(r.body()).contains("\"error\""));
                    busy++;
                }
            }
            pool.shutdown();
            assertTrue(ok > 0 && busy > 0, "some answered, some refused at once: ok " + ok + ", 503 " + busy);

            assertError(post(srv, "/v1/classify", "image/png", "not an image".getBytes()), 400);
            assertError(post(srv, "/v1/classify", "text/plain", "hello".getBytes()), 415);
            assertError(post(srv, "/v1/classify", "image/png", new byte[100 * 1024]), 413);
            assertError(post(srv, "/v1/classify", "image/png", new byte[0]), 400);
            assertError(post(srv, "/v1/classify?topk=x", "image/png", img), 400);
            assertError(post(srv, "/v1/classify", "multipart/form-data", img), 400);
            assertError(post(srv, "/v1/predict", "application/octet-stream", "garbage!".getBytes()), 400);
            assertError(post(srv, "/v1/nothing", "image/png", img), 404);
            HttpResponse<String> g = get(srv, "/v1/classify");
            assertEquals(405, g.statusCode());
            assertFalse(g.body().contains("\tat "), "no stack trace: " + g.body());
            assertTrue(get(srv, "/metrics").body().contains("edgecl_errors_total{kind=\"overloaded\"}"));
        } finally {
            srv.close();
            ctx.close();
        }
    }

    private static void assertError(HttpResponse<byte[]> r, int status) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(status, r.statusCode(), body);
        JsonObject o = JsonParser.parseString(body).getAsJsonObject();
        assertTrue(o.has("error") && !o.get("error").getAsString().contains("\tat "), body);
    }
}
