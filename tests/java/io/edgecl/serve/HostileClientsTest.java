package io.edgecl.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgecl.TestSupport;
import io.edgecl.api.Device;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.cl.ClContext;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.DemoModel;
import io.edgecl.models.VisionModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile requests on raw sockets against {@code edgecl serve}: each gets its 4xx
 * or a closed socket, a normal request is still answered after all of them, and the process
 * holds no more threads, descriptors, temporary files, heap or device memory than before.
 */
class HostileClientsTest {
    private static final long MAX_BODY = 1 << 20;
    private static ClContext ctx;
    private static InferenceServer srv;
    private static byte[] png;

    @BeforeAll
    static void start() throws Exception {
        ctx = new ClContext(TestSupport.context().device());
        VisionModel m = DemoModel.load();
        Session s =
                Session.open(m, DemoModel.weights(), SessionOptions.defaults().withDevice(Device.wrap(ctx)));
        srv = new InferenceServer(
                m,
                Labels.of(m.labels()),
                new Preprocessor(m.preprocess()),
                List.of(s),
                new InferenceServer.Options("127.0.0.1", 0, 8, 1, 64, MAX_BODY, 1_000_000, 20_000, 32));
        srv.start();
        png = Files.readAllBytes(Path.of("src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png"));
    }

    @AfterAll
    static void stop() {
        srv.close();
        ctx.close();
    }

    /**
     * Sends {@code head} and {@code body} from a second thread while this one reads, as a full-duplex HTTP client
     * does, and returns the status line, or "closed". A server may answer 413 before the body is all sent and then
     * close; a client that only read after writing everything would race that close.
     */
    private static String exchange(String head, byte[] body, int readTimeoutMs) throws IOException {
        try (Socket so = new Socket("127.0.0.1", srv.port())) {
            so.setSoTimeout(readTimeoutMs);
            OutputStream out = so.getOutputStream();
            Thread writer = new Thread(
                    () -> {
                        try {
                            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                            if (body != null) out.write(body);
                            out.flush();
                        } catch (IOException e) {
                            // the server stopped reading: its answer, if any, is read below
                        }
                    },
                    "hostile-client-writer");
            writer.setDaemon(true);
            writer.start();
            String status = statusLine(so.getInputStream());
            so.close(); // ends a writer still blocked on a body the server no longer reads
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return status;
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            for (int c; (c = in.read()) >= 0 && got.size() < 200; ) {
                if (c == '\r' || c == '\n') break;
                got.write(c);
            }
        } catch (SocketTimeoutException e) {
            return "no answer";
        } catch (IOException e) {
            return "closed";
        }
        String line = got.toString(StandardCharsets.ISO_8859_1).trim();
        return line.isEmpty() ? "closed" : line.substring(0, Math.min(line.length(), 12));
    }

    private static String post(String type, String extraHeaders, long length) {
        return "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: " + type + "\r\n" + extraHeaders
                + (length >= 0 ? "Content-Length: " + length + "\r\n" : "") + "\r\n";
    }

    private static byte[] parts(int n, boolean closed) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("--b\r\nContent-Type: image/png\r\n\r\nx\r\n");
        }
        if (closed) b.append("--b--\r\n");
        else b.setLength(b.length() - 2); // the last part runs to the end: no closing boundary
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * 2,000, or fewer where the process's open-file limit would not hold both ends of them
     * (client and server are this one process) beside what it has open.
     */
    private static int idleConnections() throws IOException {
        long limit = Long.MAX_VALUE;
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                if (!soft.equals("unlimited")) limit = Long.parseLong(soft);
            }
        }
        long open = TestSupport.openFiles();
        return (int) Math.max(100, Math.min(2_000, (limit - open - 200) / 2));
    }

    /** What the process holds: threads, open descriptors, the server's temporary files, heap MB, device bytes. */
    private static Map<String, Long> held() throws Exception {
        System.gc();
        Thread.sleep(300);
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("threads", (long) Thread.activeCount());
        m.put("descriptors", TestSupport.openFiles());
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            m.put(
                    "temporary files",
                    tmp.filter(p -> p.getFileName().toString().startsWith("edgecl-serve-"))
                            .count());
        }
        Runtime r = Runtime.getRuntime();
        m.put("heap MB", (r.totalMemory() - r.freeMemory()) >> 20);
        m.put("device bytes", ctx.liveBytes());
        return m;
    }

    @Test
    void eachAttackGetsItsAnswerAndNothingIsLeftBehind() throws Exception {
        // the pool's threads and the plans exist before the count
        for (int i = 0; i < 40; i++)
            assertEquals("HTTP/1.1 200", exchange(post("image/png", "", png.length), png, 10_000));
        Map<String, Long> before = held();
        Map<String, String> got = new LinkedHashMap<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 10_000; i++) lines.append("X-H").append(i).append(": v\r\n");
        got.put("10,000 header lines", exchange(post("image/png", lines.toString(), png.length), png, 10_000));
        got.put(
                "a 1 MB header",
                exchange(post("image/png", "X-Big: " + "x".repeat(1 << 20) + "\r\n", png.length), png, 10_000));
        got.put("Content-Length shorter than the body", exchange(post("image/png", "", png.length / 2), png, 10_000));
        got.put("Content-Length over --max-body", exchange(post("image/png", "", MAX_BODY + 1), png, 10_000));
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++)
            chunks.write(("8000\r\n" + "a".repeat(0x8000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        got.put(
                "a chunked body that never ends",
                exchange(post("image/png", "Transfer-Encoding: chunked\r\n", -1), chunks.toByteArray(), 10_000));
        byte[] many = parts(10_000, true);
        got.put(
                "a multipart body of 10,000 parts",
                exchange(post("multipart/form-data; boundary=b", "", many.length), many, 10_000));
        byte[] open = parts(1, false);
        got.put(
                "a part with no end boundary",
                exchange(post("multipart/form-data; boundary=b", "", open.length), open, 10_000));
        // a Content-Length longer than what is sent: the server waits for the rest; the client gives up
        got.put("Content-Length longer than the body", exchange(post("image/png", "", png.length + 1000), png, 1_000));
        // an upload abandoned halfway, and a client that leaves before its answer
        try (Socket so = new Socket("127.0.0.1", srv.port())) {
            so.getOutputStream().write(post("image/png", "", png.length).getBytes(StandardCharsets.ISO_8859_1));
            so.getOutputStream().write(png, 0, png.length / 2);
        }
        try (Socket so = new Socket("127.0.0.1", srv.port())) {
            so.getOutputStream().write(post("image/png", "", png.length).getBytes(StandardCharsets.ISO_8859_1));
            so.getOutputStream().write(png);
        }
        // idle keep-alive connections hold no thread: a normal request is answered beside them
        List<Socket> idle = new ArrayList<>();
        try {
            int n = idleConnections();
            if (n < 2_000) System.err.println("note: " + n + " idle connections (the open-file limit allows no more)");
            for (int i = 0; i < n; i++) idle.add(new Socket("127.0.0.1", srv.port()));
            got.put(
                    "a request beside 2,000 idle connections",
                    exchange(post("image/png", "", png.length), png, 10_000));
        } finally {
            for (Socket so : idle) so.close();
        }
        got.put("a normal request after all of them", exchange(post("image/png", "", png.length), png, 10_000));
        got.forEach((k, v) -> System.err.printf("  %-42s %s%n", k, v));

        assertTrue(got.get("10,000 header lines").matches("closed|HTTP/1.1 4\\d\\d"), got.toString());
        assertTrue(got.get("a 1 MB header").matches("closed|HTTP/1.1 4\\d\\d"), got.toString());
        assertEquals("HTTP/1.1 400", got.get("Content-Length shorter than the body"));
        assertEquals("HTTP/1.1 413", got.get("Content-Length over --max-body"));
        assertEquals("HTTP/1.1 413", got.get("a chunked body that never ends"));
        assertEquals("HTTP/1.1 413", got.get("a multipart body of 10,000 parts"), "more images than --queue");
        assertEquals("HTTP/1.1 400", got.get("a part with no end boundary"));
        assertEquals(
                "no answer", got.get("Content-Length longer than the body"), "waits for the rest, until --timeout-ms");
        assertEquals("HTTP/1.1 200", got.get("a request beside 2,000 idle connections"));
        assertEquals("HTTP/1.1 200", got.get("a normal request after all of them"));

        // the server notices the closed connections, and the threads the attacks added end
        Thread.sleep(1000 * (InferenceServer.EXTRA_THREAD_IDLE_SECONDS + 2));
        Map<String, Long> after = held();
        before.forEach((k, v) -> System.err.printf("  %-16s %8d -> %8d%n", k, v, after.get(k)));
        assertEquals(before.get("device bytes"), after.get("device bytes"));
        assertEquals(before.get("temporary files"), after.get("temporary files"));
        assertTrue(after.get("descriptors") <= before.get("descriptors") + 4, before + " -> " + after);
        assertTrue(after.get("threads") <= before.get("threads") + 4, before + " -> " + after);
        assertTrue(after.get("heap MB") <= before.get("heap MB") + 64, before + " -> " + after);
    }
}
