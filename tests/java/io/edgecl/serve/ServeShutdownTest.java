package io.edgecl.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** SIGTERM to {@code edgecl serve}: requests already accepted are answered, then the process ends. */
class ServeShutdownTest {
    @Test
    void sigtermAnswersAcceptedRequestsThenExits() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.edgecl.cli.Main",
                        "serve",
                        "--port",
                        "0",
                        "--max-batch",
                        "8",
                        "--max-wait-ms",
                        "1500")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            Pattern at = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                Matcher m = at.matcher(line);
                if (m.find()) port = Integer.parseInt(m.group(1));
            }
            assertTrue(port > 0, "the server says where it listens");
            byte[] img = Files.readAllBytes(Path.of("src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png"));
            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                inFlight.add(http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/classify"))
                                .header("Content-Type", "image/png")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(img))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(500); // accepted and waiting for the batch to fill (up to 1.5 s)
            p.destroy(); // SIGTERM
            for (CompletableFuture<HttpResponse<String>> f : inFlight) {
                HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("Ankle boot"), r.body());
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the server exits after answering");
        } finally {
            p.destroyForcibly();
        }
    }
}
