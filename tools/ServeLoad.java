import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load test for `edgecl serve`, JDK only: CLIENTS concurrent clients each POST one image to
 * /v1/classify, REQUESTS requests in all, stopping early after SECONDS. Prints one markdown row:
 * clients, requests, errors, images/s, p50 and p99 latency, and the server's mean batch size over
 * this run (from /metrics). Loopback only: the URL must be on 127.0.0.1 or localhost.
 *
 * Usage: java tools/ServeLoad.java URL IMAGE CLIENTS REQUESTS SECONDS
 */
public class ServeLoad {
    public static void main(String[] a) throws Exception {
        URI base = URI.create(a[0]);
        if (!List.of("127.0.0.1", "localhost", "[::1]").contains(base.getHost())) {
            throw new IllegalArgumentException("loopback only: " + base);
        }
        byte[] img = Files.readAllBytes(Path.of(a[1]));
        int clients = Integer.parseInt(a[2]), requests = Integer.parseInt(a[3]);
        long deadline = System.nanoTime() + (long) (Double.parseDouble(a[4]) * 1e9);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String type = a[1].endsWith(".png") ? "image/png" : a[1].endsWith(".bmp") ? "image/bmp" : "image/jpeg";
        double[] before = batches(http, base);
        AtomicInteger left = new AtomicInteger(requests), errors = new AtomicInteger();
        List<Double> lat = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0 && System.nanoTime() < deadline) {
                    long s = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(
                                HttpRequest.newBuilder(base.resolve("/v1/classify"))
                                        .timeout(Duration.ofSeconds(30))
                                        .header("Content-Type", type)
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(img))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) errors.incrementAndGet();
                        else lat.add((System.nanoTime() - s) / 1e6);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get();
        pool.shutdown();
        double secs = (System.nanoTime() - t0) / 1e9;
        double[] after = batches(http, base);
        List<Double> l = new ArrayList<>(lat);
        Collections.sort(l);
        double p50 = l.isEmpty() ? 0 : l.get(l.size() / 2),
                p99 = l.isEmpty() ? 0 : l.get(Math.min(l.size() - 1, (int) (l.size() * 0.99)));
        double mean = after[1] - before[1] == 0 ? 0 : (after[0] - before[0]) / (after[1] - before[1]);
        System.out.printf(
                Locale.ROOT,
                "| %d | %d | %d | %.1f | %.2f | %.2f | %.2f |%n",
                clients,
                l.size(),
                errors.get(),
                l.size() / secs,
                p50,
                p99,
                mean);
    }

    /** The server's edgecl_batch_size sum and count. */
    static double[] batches(HttpClient http, URI base) throws Exception {
        String m = http.send(
                        HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0, count = 0;
        for (String line : m.split("\n")) {
            if (line.startsWith("edgecl_batch_size_sum ")) sum = Double.parseDouble(line.split(" ")[1]);
            if (line.startsWith("edgecl_batch_size_count ")) count = Double.parseDouble(line.split(" ")[1]);
        }
        return new double[] {sum, count};
    }
}
