package io.edgecl.cli;

import io.edgecl.EdgeClException;
import io.edgecl.api.Device;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.serve.InferenceServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code edgecl serve}: the model behind a small HTTP server with dynamic batching. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve a model over HTTP: POST /v1/classify (images), POST /v1/predict (safetensors), "
                + "GET /v1/models, /health, /metrics. Concurrent requests are batched into one forward.")
public final class ServeCommand extends SessionCommand {
    @Mixin
    ImageOptions imageOptions;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: 127.0.0.1, " + "this machine only; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: 8080; 0 picks a free one).")
    int port;

    @Option(
            names = "--max-batch",
            defaultValue = "8",
            paramLabel = "B",
            description = "Most images per forward (default: 8).")
    int maxBatch;

    @Option(
            names = "--max-wait-ms",
            defaultValue = "5",
            paramLabel = "T",
            description = "How long the first request of a batch waits for others (default: 5 ms).")
    int maxWaitMs;

    @Option(
            names = "--queue",
            defaultValue = "64",
            paramLabel = "N",
            description = "Images that may wait; beyond, 503 with Retry-After (default: 64).")
    int queue;

    @Option(
            names = "--max-body",
            defaultValue = "16777216",
            paramLabel = "BYTES",
            description = "Largest request body (default: 16 MiB); larger gets 413.")
    long maxBody;

    @Option(
            names = "--max-pixels",
            defaultValue = "40000000",
            paramLabel = "N",
            description = "Largest image, in pixels (default: 40 million); larger gets 400.")
    long maxPixels;

    @Option(
            names = "--timeout-ms",
            defaultValue = "30000",
            paramLabel = "MS",
            description = "Longest a request may take, reading it included (default: 30000); then 503.")
    int timeoutMs;

    @Option(
            names = "--threads",
            defaultValue = "32",
            paramLabel = "N",
            description = "Connection threads kept ready (default: 32); more start while requests, slow ones "
                    + "included, are in flight, up to 1024 at once.")
    int threads;

    @Override
    public Integer call() throws Exception {
        InferenceServer.Options opt = new InferenceServer.Options(
                host, port, maxBatch, maxWaitMs, queue, maxBody, maxPixels, timeoutMs, Math.max(2, threads));
        VisionModel model = modelOptions.modelOrDemo();
        Preprocessor pre = imageOptions.preprocessor(model);
        Labels labels = imageOptions.labels(model);
        Weights weights = modelOptions.weightsOrDemo();
        List<Session> sessions = new ArrayList<>();
        try {
            SessionOptions o = sessionOptions();
            for (Device d : deviceOptions.openAll()) {
                try {
                    sessions.add(Session.open(model, weights, o.withOwnedDevice(d)));
                } catch (RuntimeException e) {
                    d.close();
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            for (Session s : sessions) s.close();
            throw e;
        }
        InferenceServer server;
        try {
            server = new InferenceServer(model, labels, pre, sessions, opt);
        } catch (RuntimeException e) {
            for (Session s : sessions) s.close();
            throw e;
        } catch (BindException e) {
            for (Session s : sessions) s.close();
            throw new EdgeClException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        } catch (IOException e) {
            for (Session s : sessions) s.close();
            throw new EdgeClException("cannot start the server on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            // SIGTERM / Ctrl-C: stop accepting, answer what was accepted, release the devices.
                            server.stop(10);
                            stopped.countDown();
                        },
                        "edgecl-serve-shutdown"));
        server.start();
        PrintWriter err = spec.commandLine().getErr();
        List<String> devs = new ArrayList<>();
        for (Session s : sessions) devs.add(s.device().name());
        err.printf(
                "edgecl serve: %s on %s at http://%s:%d (max batch %d, wait %d ms, queue %d)%n",
                model.name(), String.join(", ", devs), host, server.port(), maxBatch, maxWaitMs, queue);
        err.flush();
        stopped.await();
        return 0;
    }
}
