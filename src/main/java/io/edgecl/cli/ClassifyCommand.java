package io.edgecl.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.edgecl.EdgeClException;
import io.edgecl.api.Prediction;
import io.edgecl.api.Session;
import io.edgecl.io.image.ImageDecoder;
import io.edgecl.io.image.ImageException;
import io.edgecl.io.image.ImageSources;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import io.edgecl.tensor.HostTensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edgecl classify}: top-k classes of images, with timm's eval preprocessing. Images are
 * decoded on worker threads ahead of the device and go through it {@code --batch} at a time, so
 * a folder of any size runs in bounded memory.
 */
@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        description = "Classify images (" + ImageDecoder.FORMAT_NAMES + "): files, folders (walked recursively in "
                + "sorted order; files that are not images are skipped and counted) or - for one image on standard "
                + "input. An image that cannot be read is reported and the rest are classified; the exit code is "
                + "then 2. With no -m/--model-config/-w, the embedded demo model (EdgeNeXt trained on Fashion-MNIST).")
public final class ClassifyCommand extends SessionCommand {
    /** More images than this get a progress bar. */
    static final int PROGRESS_FROM = 8;

    @Mixin
    ImageOptions imageOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files, folders, or - (standard input).")
    List<String> images;

    @Option(names = "--topk", defaultValue = "5", paramLabel = "K", description = "Classes to print (default: 5).")
    int topk;

    @Option(
            names = "--batch",
            defaultValue = "1",
            paramLabel = "B",
            description = "Images per forward (default: 1, each image's latency; more run faster per image).")
    int batch;

    @Option(names = "--workers", paramLabel = "N", description = "Decoding threads (default: available cores).")
    Integer workers;

    @Option(names = "--json", description = "One JSON object per image and line (JSON Lines).")
    boolean json;

    @Option(
            names = "--no-progress",
            description = "No progress bar (shown on standard error for more than " + PROGRESS_FROM
                    + " images when the results go to a file or a pipe).")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        if (topk <= 0) throw new EdgeClException("--topk must be positive, got " + topk);
        if (batch <= 0) throw new EdgeClException("--batch must be positive, got " + batch);
        VisionModel model = modelOptions.modelOrDemo();
        Preprocessor pre = imageOptions.preprocessor(model);
        Labels labels = imageOptions.labels(model);
        ImageSources.Listing listing = ImageSources.list(images, () -> {
            if (System.console() != null) {
                throw new EdgeClException("'-' reads one image from standard input, which is this terminal; pipe "
                        + "an image in (for example: cat photo.jpg | edgecl classify -)");
            }
            return System.in;
        });
        List<ImageSources.Source> sources = listing.sources();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Gson gson = new GsonBuilder().disableHtmlEscaping().create();
        if (listing.skipped() > 0) {
            err.printf(
                    Locale.ROOT,
                    "edgecl: skipped %d file%s in the folders without an image extension%n",
                    listing.skipped(),
                    listing.skipped() == 1 ? "" : "s");
            err.flush();
        }
        int forward = Math.min(batch, sources.size());
        List<String> failed = new ArrayList<>();
        int done = 0;
        ProgressBar bar = null;
        try (DecodeAhead<ImageSources.Source> ahead =
                new DecodeAhead<>(sources, ImageSources.Source::decode, pre, batch, workers)) {
            // Images decode while the model compiles; one image alone is awaited first, so a bad
            // one fails fast, in one line, before the compile.
            List<DecodeAhead.Decoded<ImageSources.Source>> chunk = null;
            if (sources.size() == 1) {
                chunk = ahead.nextChunk();
                if (chunk.get(0).error() != null)
                    throw new ImageException(chunk.get(0).error());
            }
            // Results on a terminal show the progress themselves; a bar would be drawn through them.
            boolean resultsOnTerminal = System.console() != null;
            if (!noProgress && !resultsOnTerminal && sources.size() > PROGRESS_FROM) {
                bar = ProgressBars.bar("classify", sources.size());
            }
            try (Session s = Session.open(model, modelOptions.weightsOrDemo(), sessionOptions())) {
                HostTensor blank = null;
                boolean first = true;
                for (; chunk != null || ahead.hasNext(); chunk = null) {
                    if (chunk == null) chunk = ahead.nextChunk();
                    List<DecodeAhead.Decoded<ImageSources.Source>> ok = new ArrayList<>();
                    for (DecodeAhead.Decoded<ImageSources.Source> d : chunk) {
                        if (d.error() == null) {
                            ok.add(d);
                            continue;
                        }
                        failed.add(d.error());
                        if (json) {
                            Map<String, Object> r = new LinkedHashMap<>();
                            r.put("image", d.item().name());
                            r.put("error", d.error());
                            out.println(gson.toJson(r));
                        } else {
                            err.println("edgecl: skipping " + d.error());
                        }
                        if (bar != null) bar.step();
                    }
                    if (!ok.isEmpty()) {
                        List<HostTensor> ts = new ArrayList<>();
                        for (DecodeAhead.Decoded<ImageSources.Source> d : ok) ts.add(d.tensor());
                        // A short batch (the last, or one with unreadable images) is padded to the
                        // same shape, so it runs on the plan already built instead of compiling another.
                        if (ts.size() < forward && blank == null) {
                            blank = new HostTensor(
                                    ts.get(0).shape(), new float[ts.get(0).data().length]);
                        }
                        while (ts.size() < forward) ts.add(blank);
                        HostTensor x = Preprocessor.stack(ts);
                        // the first run builds the plan: time a second, warm run as the latency
                        if (first) s.run(x);
                        first = false;
                        long t0 = System.nanoTime();
                        HostTensor logits = s.run(x).logits();
                        double ms = (System.nanoTime() - t0) / 1e6;
                        List<List<Prediction>> tops = Prediction.topk(logits, topk);
                        for (int i = 0; i < ok.size(); i++) {
                            print(out, gson, ok.get(i).item().name(), model, s, ms, forward, tops.get(i), labels);
                        }
                        done += ok.size();
                        if (bar != null) bar.stepBy(ok.size());
                    }
                    out.flush();
                    err.flush();
                }
            }
        } finally {
            if (bar != null) bar.close();
        }
        if (!failed.isEmpty()) {
            throw new ImageException(failed.size() + " of " + sources.size() + " images could not be read"
                    + (done > 0 ? " (the other " + done + " were classified)" : "") + "; first: " + failed.get(0));
        }
        return 0;
    }

    private void print(
            PrintWriter out,
            Gson gson,
            String image,
            VisionModel model,
            Session s,
            double ms,
            int batchSize,
            List<Prediction> top,
            Labels labels) {
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("image", image);
            r.put("model", model.name());
            r.put("device", s.device().name());
            r.put("latency_ms", ms);
            r.put("batch", batchSize);
            r.put("top", Prediction.toMaps(top, labels::name));
            out.println(gson.toJson(r));
            return;
        }
        String timing = batchSize == 1
                ? String.format(Locale.ROOT, "%.2f ms", ms)
                : String.format(Locale.ROOT, "%.2f ms for a batch of %d", ms, batchSize);
        out.printf(
                Locale.ROOT,
                "%s  (%s on %s, %s)%n",
                image,
                model.name(),
                s.device().name(),
                timing);
        int rank = 1;
        for (Prediction p : top) {
            out.printf(
                    Locale.ROOT,
                    "  %d. %6.2f%%  %s (%d)%n",
                    rank++,
                    100 * p.probability(),
                    labels.name(p.index()),
                    p.index());
        }
    }
}
