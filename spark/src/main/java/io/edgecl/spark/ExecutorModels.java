package io.edgecl.spark;

import io.edgecl.EdgeClException;
import io.edgecl.api.Fusion;
import io.edgecl.api.ModelSource;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.io.image.Labels;
import io.edgecl.io.image.Preprocessor;
import io.edgecl.models.VisionModel;
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
 * The models open in this JVM: one {@link Session} per (model, weights, options), opened by the
 * first task that needs it and shared by every later task of the JVM (an executor runs many
 * partitions, and several at once; a session serves concurrent callers one forward at a time).
 * They close when the JVM exits. Opening is what costs (weights upload, program builds), so a
 * session per partition would pay it hundreds of times.
 */
final class ExecutorModels {
    /** A session with what classify does around it: the preprocessing and the class names. */
    record OpenModel(Session session, VisionModel model, Preprocessor preprocessor, List<String> labels) {}

    private static final Map<String, OpenModel> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong OPENED = new AtomicLong();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "edgecl-spark-close"));
    }

    private ExecutorModels() {}

    /** The open model for {@code s}, opened on first use in this JVM. */
    static OpenModel get(ClassifierSettings s) {
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

    /** Sessions open now. */
    static int openNow() {
        return OPEN.size();
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

    private static OpenModel open(ClassifierSettings s) {
        Path weights = s.weights() == null ? null : WeightsShipping.locate(s.weights());
        ModelSource src = ModelSource.of(s.model(), s.spec(), weights).withKeyFormat(s.keyFormat());
        VisionModel model = src.modelOrDemo();
        checkClassifier(model);
        Preprocessor pre = new Preprocessor(model.preprocess());
        model.checkInput(3, pre.height(), pre.width());
        List<String> labels = labels(model, s.labels());
        SessionOptions o = SessionOptions.defaults().withDevice(s.device()).withoutFusion(fusion(s.noFuse()));
        o = "auto".equalsIgnoreCase(s.precision())
                ? o.withAutoPrecision()
                : o.withPrecision(Precision.parse(s.precision()));
        Session session = Session.open(model, src.weightsOrDemo(), o);
        OPENED.incrementAndGet();
        return new OpenModel(session, model, pre, labels);
    }

    /** The Transformer classifies: a segmenter's or detector's outputs have no column here. */
    static void checkClassifier(VisionModel m) {
        if (!m.primaryOutput().equals("logits")) {
            throw new EdgeClException(m.name() + " is not a classifier (its output is '" + m.primaryOutput()
                    + "'); EdgeClClassifier runs classification models");
        }
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
     * 1000-class model, else "class i".
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
        } else if (n == 1000) {
            out.addAll(Labels.imagenet1k().names());
        }
        for (int i = out.size(); i < n; i++) out.add("class " + i);
        return out;
    }
}
