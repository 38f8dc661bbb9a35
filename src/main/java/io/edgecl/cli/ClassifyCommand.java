package io.edgecl.cli;

import com.google.gson.GsonBuilder;
import io.edgecl.api.Prediction;
import io.edgecl.api.Session;
import io.edgecl.tensor.HostTensor;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code edgecl classify}: top-k classes of images, with timm's eval preprocessing. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify images (JPEG, PNG, BMP). With no -m/--model-config/-w, the embedded demo model "
                + "(EdgeNeXt trained on Fashion-MNIST) is used.")
public final class ClassifyCommand extends SessionCommand {
    @Mixin
    ImageOptions imageOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
    List<Path> images;

    @Option(names = "--topk", defaultValue = "5", paramLabel = "K", description = "Classes to print (default: 5).")
    int topk;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Override
    public Integer call() {
        if (topk <= 0) throw new io.edgecl.EdgeClException("--topk must be positive, got " + topk);
        VisionModel model = modelOptions.modelOrDemo();
        Preprocessor pre = imageOptions.preprocessor(model);
        Labels labels = imageOptions.labels(model);
        List<HostTensor> inputs = new ArrayList<>();
        for (Path p : images) inputs.add(pre.load(p));
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>();
        try (Session s = Session.open(model, modelOptions.weightsOrDemo(),
                sessionOptions())) {
            // first run builds the plan; time a second, warm run as the latency
            s.run(inputs.get(0));
            for (int i = 0; i < images.size(); i++) {
                long t0 = System.nanoTime();
                HostTensor logits = s.run(inputs.get(i)).logits();
                double ms = (System.nanoTime() - t0) / 1e6;
                List<Prediction> top = Prediction.topk(logits, topk).get(0);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("image", images.get(i).toString());
                r.put("model", model.name());
                r.put("device", s.device().name());
                r.put("latency_ms", ms);
                List<Map<String, Object>> tops = new ArrayList<>();
                for (Prediction p : top) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("index", p.index());
                    t.put("label", labels.name(p.index()));
                    t.put("probability", p.probability());
                    t.put("logit", p.logit());
                    tops.add(t);
                }
                r.put("top", tops);
                results.add(r);
                if (!json) {
                    out.printf(Locale.ROOT, "%s  (%s on %s, %.2f ms)%n", images.get(i), model.name(),
                            s.device().name(), ms);
                    int rank = 1;
                    for (Prediction p : top) {
                        out.printf(Locale.ROOT, "  %d. %6.2f%%  %s (%d)%n", rank++, 100 * p.probability(),
                                labels.name(p.index()), p.index());
                    }
                }
            }
        }
        if (json) out.println(new GsonBuilder().setPrettyPrinting().create().toJson(results));
        out.flush();
        return 0;
    }
}
