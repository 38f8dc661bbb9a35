package io.edgecl.spark;

import io.edgecl.EdgeClException;
import io.edgecl.api.Fusion;
import io.edgecl.api.ModelSource;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.Detector;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.tensor.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The models open in this JVM: one {@link Session} per (task, model, weights, options), opened
 * by the first task that needs it and shared by every later task of the JVM (an executor runs
 * many partitions, and several at once; a session serves concurrent callers one forward at a
 * time). They close when the JVM exits. Opening is what costs (weights upload, program builds),
 * so a session per partition would pay it hundreds of times.
 */
final class ExecutorModels {
    /** A session with the model it runs and, for a classifier, the preprocessing classify uses. */
    record OpenModel(Session session, VisionModel model, Preprocessor preprocessor) {}

    private static final Map<String, OpenModel> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong OPENED = new AtomicLong();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "edgecl-spark-close"));
    }

    private ExecutorModels() {}

    /** The open model for {@code s}, opened on first use in this JVM. */
    static OpenModel get(TaskSettings s) {
        OpenModel m = OPEN.computeIfAbsent(s.sessionKey(), k -> open(s));
        if (m.session().failed()) {
            // A device lost under this session: the next task opens a fresh one (and fails in turn
            // if the device stays lost, so Spark retries it elsewhere).
            OPEN.remove(s.sessionKey(), m);
            m.session().close();
            m = OPEN.computeIfAbsent(s.sessionKey(), k -> open(s));
        }
        return m;
    }

    /** Sessions opened in this JVM since it started (not the ones open now). */
    static long opened() {
        return OPENED.get();
    }

    /** Closes every open session (the JVM's exit does it too). */
    static synchronized void closeAll() {
        for (OpenModel m : OPEN.values()) {
            try {
                m.session().close();
            } catch (RuntimeException e) {
                // closing at exit: nothing to report to
            }
        }
        OPEN.clear();
    }

    /** The model {@code src} names, or the task's embedded demo when it names none. */
    static VisionModel model(ModelSource src, TaskSettings.Task task) {
        VisionModel m = switch (task) {
            case CLASSIFICATION -> src.modelOrDemo();
            case SEGMENTATION -> src.segmenterOrDemo();
            case DETECTION -> src.detectorOrDemo();
        };
        check(m, task);
        return m;
    }

    /** Whether {@code m} does what the Transformer's task needs, with the reason when it does not. */
    static void check(VisionModel m, TaskSettings.Task task) {
        String out = m.primaryOutput();
        boolean ok = switch (task) {
            case CLASSIFICATION -> out.equals("logits") && !(m instanceof Detector);
            case SEGMENTATION -> out.equals("out");
            case DETECTION -> m instanceof Detector;
        };
        if (!ok) {
            String what = m instanceof Detector
                    ? "a detection model"
                    : out.equals("out") ? "a segmentation model" : "a classifier";
            String use = m instanceof Detector
                    ? "EdgeClDetector"
                    : out.equals("out") ? "EdgeClSegmenter" : "EdgeClClassifier";
            throw new EdgeClException(m.name() + " is " + what + ": run it with " + use);
        }
    }

    private static OpenModel open(TaskSettings s) {
        Path weights = s.weights() == null ? null : WeightsShipping.locate(s.weights());
        ModelSource src = ModelSource.of(s.model(), s.spec(), weights).withKeyFormat(s.keyFormat());
        VisionModel model = model(src, s.task());
        Preprocessor pre = null;
        if (s.task() == TaskSettings.Task.CLASSIFICATION) {
            pre = new Preprocessor(model.preprocess());
            model.checkInput(3, pre.height(), pre.width());
        }
        SessionOptions o = SessionOptions.defaults().withDevice(s.device()).withoutFusion(fusion(s.noFuse()));
        o = "auto".equalsIgnoreCase(s.precision())
                ? o.withAutoPrecision()
                : o.withPrecision(Precision.parse(s.precision()));
        Weights w = switch (s.task()) {
            case CLASSIFICATION -> src.weightsOrDemo();
            case SEGMENTATION -> src.segmenterWeightsOrDemo();
            case DETECTION -> src.detectorWeightsOrDemo();
        };
        Session session = Session.open(model, w, o);
        OPENED.incrementAndGet();
        return new OpenModel(session, model, pre);
    }

    private static Set<Fusion> fusion(List<String> names) {
        Set<Fusion> out = EnumSet.noneOf(Fusion.class);
        for (String r : names) {
            if (r.equals("all")) out.addAll(Fusion.all());
            else out.add(Fusion.parse(r));
        }
        return out;
    }

    /**
     * The class names: those given (padded with "class i" up to the model's classes, as an image
     * folder with fewer classes than the model is), else the model's, else ImageNet-1k's for a
     * 1000-class classifier, else "class i".
     */
    static List<String> labels(VisionModel m, List<String> given) {
        int n = m.numClasses();
        List<String> out = new ArrayList<>();
        if (given != null) {
            if (given.size() > n) {
                throw new EdgeClException(
                        "the labels parameter names " + given.size() + " classes but " + m.name() + " has " + n);
            }
            out.addAll(given);
        } else if (m.labels() != null && m.labels().size() == n) {
            out.addAll(m.labels());
        } else if (n == 1000 && m.primaryOutput().equals("logits")) {
            out.addAll(Labels.imagenet1k().names());
        }
        for (int i = out.size(); i < n; i++) out.add("class " + i);
        return out;
    }
}
