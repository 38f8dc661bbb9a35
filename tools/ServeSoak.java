import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak test for `edgecl serve`, JDK only, loopback only.
 *
 * <p>After a warm-up it starts the hostile clients, which run to the end: SLOW connections sending
 * a request header a byte per second (reconnecting whenever the server closes one), uploads
 * abandoned halfway, clients that leave before their answer, and malformed requests (an
 * undecodable image, a broken multipart body, a wrong method, an unknown path). It measures the
 * saturation throughput they leave (the open-loop rate the server still keeps up with, below the
 * closed loop's of 8 clients, which is printed too), then for SECONDS sends normal classify
 * requests at 80% of it (open loop: each request leaves on its schedule, whether or not
 * earlier ones were answered; more than 256 outstanding counts as falling behind), after a ramp
 * over the first 30 s. Every REPORT
 * seconds it prints a row: the normal requests' answers, errors, p50 and p99, and what the server
 * holds according to its /metrics (resident memory, heap after the last collection, live threads,
 * open descriptors, device bytes).
 *
 * <p>At the end the hostile clients leave, and the server's holdings are compared with those
 * before the soak once its timers have closed what the clients left (up to a minute). Exit
 * status 1 when a normal request failed, a malformed one got anything but a 4xx, resident memory
 * grew after warm-up (the first quarter) by more than max(16 MB, 5%), or threads, descriptors or
 * device bytes did not come back.
 *
 * <p>Usage: java tools/ServeSoak.java URL IMAGE SECONDS [SLOW] [REPORT] [LOAD]   (SLOW 50, REPORT 60,
 * LOAD 0.8 of saturation)
 */
public class ServeSoak {
    static final String[] GAUGES = {
        "process_resident_memory_bytes",
        "jvm_heap_after_gc_bytes",
        "jvm_threads_live",
        "process_open_fds",
        "edgecl_device_bytes"
    };

    /** Normal requests outstanding at most; beyond it the server has fallen behind. */
    static final int MAX_IN_FLIGHT = 256;

    static final double RAMP_S = 30;

    static URI base;
    static byte[] img;
    static String type;
    static HttpClient http;
    static volatile boolean stop;

    public static void main(String[] a) throws Exception {
        // The client's idle connections close after 2 s (20 min by default), so that the server's
        // descriptors after the soak count what the server kept, not what this client kept open.
        System.setProperty("jdk.httpclient.keepalive.timeout", "2");
        base = URI.create(a[0]);
        if (!List.of("127.0.0.1", "localhost").contains(base.getHost())) {
            throw new IllegalArgumentException("loopback only: " + base);
        }
        img = Files.readAllBytes(Path.of(a[1]));
        type = a[1].endsWith(".png") ? "image/png" : "image/jpeg";
        double seconds = Double.parseDouble(a[2]);
        int slow = a.length > 3 ? Integer.parseInt(a[3]) : 50;
        double report = a.length > 4 ? Double.parseDouble(a[4]) : 60;
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(8, daemon("soak-http")))
                .build();

        saturate(8, 20); // warm-up: JIT on both sides, the server's threads and plans
        idle();
        Map<String, Long> before = gauges();
        System.out.println("before: " + before);

        List<Thread> hostile = new ArrayList<>();
        Counters hc = new Counters();
        for (int i = 0; i < slow; i++) hostile.add(start("soak-slow-" + i, () -> slowClient(hc)));
        hostile.add(start("soak-abort", () -> every(100, () -> abortedUpload(hc))));
        hostile.add(start("soak-leave", () -> every(100, () -> leaveBeforeAnswer(hc))));
        hostile.add(start("soak-bad", () -> every(50, () -> malformed(hc))));

        // saturation with the hostile clients already there: the throughput this mix leaves
        double satSeconds = 20;
        double closed = saturate(8, satSeconds);
        double saturation = openLoopSaturation(2 * closed, 30);
        double load = a.length > 5 ? Double.parseDouble(a[5]) : 0.8;
        double rate = load * saturation;
        System.out.printf(
                Locale.ROOT,
                "saturation beside the hostile clients: %.1f requests/s in a closed loop (8 clients, %.0f s), %.1f/s"
                        + " in an open loop; soak at %.0f%% of the latter, %.1f/s, for %.0f s beside %d slow clients%n",
                closed,
                satSeconds,
                saturation,
                100 * load,
                rate,
                seconds,
                slow);

        System.out.println(
                "| t s | answered | errors | p50 ms | p99 ms | RSS MB | heap after GC MB | threads | fds | device MB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        Window w = new Window();
        AtomicLong errorsTotal = new AtomicLong(), answeredTotal = new AtomicLong();
        List<Double> rss = new ArrayList<>();
        long t0 = System.nanoTime();
        long periodNs = (long) (1e9 / rate);
        long nextReport = t0 + (long) (report * 1e9);
        long end = t0 + (long) (seconds * 1e9);
        AtomicInteger inFlight = new AtomicInteger();
        // The rate ramps up over the first RAMP_S seconds, as load tests do: at once, the client's
        // own cold paths put a backlog in front of the server that it takes seconds to clear.
        long due = t0;
        for (long i = 0; ; i++) {
            double ramp = Math.min(1, Math.max(0.05, (due - t0) / (RAMP_S * 1e9)));
            due += (long) (periodNs / ramp);
            long now = System.nanoTime();
            if (due >= end) break;
            if (now >= nextReport) {
                Map<String, Long> g = gauges();
                rss.add(g.get("process_resident_memory_bytes") / 1e6);
                w.print((now - t0) / 1e9, g, errorsTotal, answeredTotal);
                nextReport += (long) (report * 1e9);
            }
            if (due > now) Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
            if (inFlight.get() >= MAX_IN_FLIGHT) {
                // the server fell behind: a request not sent on time is a failure too
                w.error(MAX_IN_FLIGHT + " requests in flight when the next was due");
                continue;
            }
            long sent = System.nanoTime();
            inFlight.incrementAndGet();
            http.sendAsync(classify(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
                inFlight.decrementAndGet();
                if (e == null && r.statusCode() == 200) {
                    w.ok((System.nanoTime() - sent) / 1e6);
                } else {
                    w.error(
                            e != null
                                    ? e.toString()
                                    : r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                }
            });
        }
        long drain = System.nanoTime() + 15_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < drain) Thread.sleep(10);
        w.print((System.nanoTime() - t0) / 1e9, gauges(), errorsTotal, answeredTotal);
        stop = true;
        for (Thread t : hostile) t.interrupt();
        for (Thread t : hostile) t.join(15_000);
        // Connections a client left are closed by the server's timers (--timeout-ms and 5 s on),
        // and extra connection threads end after 5 s idle: wait for both, up to a minute.
        long quiet = System.nanoTime();
        Map<String, Long> after = gauges();
        while (!cameBack(before, after) && System.nanoTime() - quiet < 60_000_000_000L) {
            Thread.sleep(1_000);
            after = gauges();
        }
        System.out.printf(
                Locale.ROOT,
                "after:  %s (%.0f s after the clients stopped)%n",
                after,
                (System.nanoTime() - quiet) / 1e9);
        System.out.printf(
                Locale.ROOT,
                "hostile: %d slow connections closed by the server after %.1f s on average; %d uploads"
                        + " abandoned; %d clients left before their answer; %d malformed requests, answers %s%n",
                hc.slowClosed.get(),
                hc.slowClosed.get() == 0 ? 0 : hc.slowHeldMs.get() / 1e3 / hc.slowClosed.get(),
                hc.aborted.get(),
                hc.left.get(),
                hc.malformed.get(),
                new java.util.TreeMap<>(hc.malformedStatus));

        if (!w.kinds.isEmpty()) System.out.println("normal requests that failed, by kind: " + w.kinds);
        List<String> failures = new ArrayList<>();
        if (errorsTotal.get() > 0) failures.add(errorsTotal.get() + " normal requests failed, e.g. " + w.firstError);
        if (inFlight.get() > 0) failures.add(inFlight.get() + " normal requests never answered");
        for (var e : hc.malformedStatus.entrySet()) {
            if (e.getKey() < 400 || e.getKey() >= 500) {
                failures.add(e.getValue() + " malformed requests answered " + e.getKey());
            }
        }
        int warm = Math.max(1, rss.size() / 4);
        if (rss.size() >= 4) {
            double settled = Collections.max(rss.subList(warm, Math.max(warm + 1, rss.size() / 2)));
            double late = Collections.max(rss.subList(rss.size() / 2, rss.size()));
            System.out.printf(
                    Locale.ROOT, "RSS after warm-up: %.1f MB; in the second half at most %.1f MB%n", settled, late);
            if (late > settled + Math.max(16, 0.05 * settled)) {
                failures.add(String.format(Locale.ROOT, "resident memory grew %.1f -> %.1f MB", settled, late));
            }
        }
        if (!cameBack(before, after)) failures.add("threads, descriptors or device bytes did not come back");
        if (failures.isEmpty()) {
            System.out.printf(Locale.ROOT, "soak: ok, %d normal requests answered, none failed%n", answeredTotal.get());
        } else {
            System.out.println("soak: FAILED: " + String.join("; ", failures));
            System.exit(1);
        }
        System.exit(0);
    }

    static HttpRequest classify() {
        return HttpRequest.newBuilder(base.resolve("/v1/classify"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(img))
                .build();
    }

    /**
     * The open-loop rate the server keeps up with: requests sent at a rate rising linearly to
     * {@code maxRate} over {@code seconds}, until 64 are outstanding; the rate answered over the
     * 2 s before that moment. Open-loop arrivals come one by one and form smaller batches than a
     * closed loop's clients, which all wait for the same forward, so this is the lower figure.
     */
    static double openLoopSaturation(double maxRate, double seconds) throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        List<Long> answered = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime(), due = t0, span = (long) (seconds * 1e9);
        while (inFlight.get() < 64 && due - t0 < span) {
            double r = Math.max(1, maxRate * (due - t0) / span);
            due += (long) (1e9 / r);
            long now = System.nanoTime();
            if (due > now) Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
            inFlight.incrementAndGet();
            http.sendAsync(classify(), HttpResponse.BodyHandlers.discarding()).whenComplete((x, e) -> {
                inFlight.decrementAndGet();
                if (e == null && x.statusCode() == 200) answered.add(System.nanoTime());
            });
        }
        long stop = System.nanoTime();
        long drain = stop + 30_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < drain) Thread.sleep(10);
        long n;
        synchronized (answered) {
            n = answered.stream()
                    .filter(t -> t > stop - 2_000_000_000L && t <= stop)
                    .count();
        }
        idle();
        return n / 2.0;
    }

    /** Closed-loop requests from {@code clients} threads for {@code seconds}: answers per second. */
    static double saturate(int clients, double seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> ts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            ts.add(start("soak-saturate-" + c, () -> {
                while (System.nanoTime() < end) {
                    try {
                        if (http.send(classify(), HttpResponse.BodyHandlers.ofByteArray())
                                        .statusCode()
                                == 200) done.incrementAndGet();
                    } catch (IOException e) {
                        // counted as not done
                    }
                }
            }));
        }
        long t0 = System.nanoTime();
        for (Thread t : ts) t.join();
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Threads and descriptors within 2 of before, device bytes equal. */
    static boolean cameBack(Map<String, Long> before, Map<String, Long> after) {
        return after.get("jvm_threads_live") <= before.get("jvm_threads_live") + 2
                && after.get("process_open_fds") <= before.get("process_open_fds") + 2
                && after.get("edgecl_device_bytes").equals(before.get("edgecl_device_bytes"));
    }

    /** Waits past the server's 5 s idle time for extra connection threads. */
    static void idle() throws InterruptedException {
        Thread.sleep(7_000);
    }

    static Map<String, Long> gauges() throws Exception {
        String m = http.send(
                        HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Map<String, Long> g = new LinkedHashMap<>();
        for (String name : GAUGES) g.put(name, -1L);
        for (String line : m.split("\n")) {
            String[] p = line.split(" ");
            if (p.length == 2 && g.containsKey(p[0])) g.put(p[0], Long.parseLong(p[1]));
        }
        return g;
    }

    /** The normal requests answered since the last row. */
    static final class Window {
        final List<Double> lat = new ArrayList<>();
        int errors;
        volatile String firstError;

        synchronized void ok(double ms) {
            lat.add(ms);
        }

        /** Failures by kind over the whole soak (a status and the start of its answer, or the exception). */
        final Map<String, Long> kinds = new java.util.TreeMap<>();

        synchronized void error(String what) {
            errors++;
            if (firstError == null) firstError = what;
            kinds.merge(what.length() > 60 ? what.substring(0, 60) : what, 1L, Long::sum);
        }

        synchronized void print(double t, Map<String, Long> g, AtomicLong errorsTotal, AtomicLong answeredTotal) {
            Collections.sort(lat);
            double p50 = lat.isEmpty() ? 0 : lat.get(lat.size() / 2);
            double p99 = lat.isEmpty() ? 0 : lat.get(Math.min(lat.size() - 1, (int) (lat.size() * 0.99)));
            System.out.printf(
                    Locale.ROOT,
                    "| %.0f | %d | %d | %.1f | %.1f | %.1f | %.1f | %d | %d | %.2f |%n",
                    t,
                    lat.size(),
                    errors,
                    p50,
                    p99,
                    g.get("process_resident_memory_bytes") / 1e6,
                    g.get("jvm_heap_after_gc_bytes") / 1e6,
                    g.get("jvm_threads_live"),
                    g.get("process_open_fds"),
                    g.get("edgecl_device_bytes") / 1e6);
            errorsTotal.addAndGet(errors);
            answeredTotal.addAndGet(lat.size());
            lat.clear();
            errors = 0;
        }
    }

    static final class Counters {
        final AtomicLong slowClosed = new AtomicLong(), slowHeldMs = new AtomicLong();
        final AtomicLong aborted = new AtomicLong(), left = new AtomicLong(), malformed = new AtomicLong();
        final Map<Integer, Long> malformedStatus = new ConcurrentHashMap<>();
    }

    interface Body {
        void run() throws Exception;
    }

    static Thread start(String name, Body body) {
        Thread t = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (InterruptedException e) {
                        // stopped
                    } catch (Exception e) {
                        if (!stop) throw new RuntimeException(e);
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    static void every(long ms, Body body) throws Exception {
        while (!stop) {
            try {
                body.run();
            } catch (IOException e) {
                // a connection the server closed or reset: what these clients provoke
            }
            Thread.sleep(ms);
        }
    }

    static Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    static String head(String method, String path, String type, long length) {
        return method + " " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + length + "\r\n\r\n";
    }

    /** A request header sent a byte per second, until the server closes the connection; then again. */
    static void slowClient(Counters c) throws Exception {
        byte[] head = ("POST /v1/classify HTTP/1.1\r\nHost: " + base.getHost() + "\r\nX-Slow: ")
                .getBytes(StandardCharsets.ISO_8859_1);
        while (!stop) {
            long t0 = System.nanoTime();
            try (Socket s = connect()) {
                OutputStream out = s.getOutputStream();
                out.write(head);
                out.flush();
                while (!stop) {
                    Thread.sleep(1_000);
                    out.write('a');
                    out.flush();
                }
            } catch (IOException e) {
                c.slowClosed.incrementAndGet();
                c.slowHeldMs.addAndGet((System.nanoTime() - t0) / 1_000_000);
                Thread.sleep(500);
            }
        }
    }

    /** Announces a body of 200 KB, sends a tenth of it, and leaves. */
    static void abortedUpload(Counters c) throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("POST", "/v1/classify", type, 200_000).getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[20_000]);
            out.flush();
        }
        c.aborted.incrementAndGet();
    }

    /** Sends a whole valid request and leaves without reading the answer. */
    static void leaveBeforeAnswer(Counters c) throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head("POST", "/v1/classify", type, img.length).getBytes(StandardCharsets.ISO_8859_1));
            out.write(img);
            out.flush();
        }
        c.left.incrementAndGet();
    }

    static final Random RANDOM = new Random(7);

    /** One of four malformed requests, in turn; the status it gets is counted. */
    static void malformed(Counters c) throws IOException {
        long n = c.malformed.getAndIncrement();
        String req;
        byte[] body;
        switch ((int) (n % 4)) {
            case 0 -> {
                body = new byte[2_000];
                RANDOM.nextBytes(body);
                req = head("POST", "/v1/classify", "image/png", body.length);
            }
            case 1 -> {
                body = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nabc"
                        .getBytes(StandardCharsets.US_ASCII);
                req = head("POST", "/v1/classify", "multipart/form-data; boundary=b", body.length);
            }
            case 2 -> {
                body = new byte[0];
                req = head("GET", "/v1/classify", "image/png", 0);
            }
            default -> {
                body = new byte[0];
                req = head("POST", "/v1/nothing", "image/png", 0);
            }
        }
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) line.append((char) b);
            String[] p = line.toString().split(" ");
            int status = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            c.malformedStatus.merge(status, 1L, Long::sum);
        }
    }
}
