package io.edgecl.api;

import io.edgecl.EdgeClException;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.FusionScheduler;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Plan;
import io.edgecl.io.HostTensor;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model ready to run on one device: the entry point for programs that embed EdgeCL.
 *
 * <pre>{@code
 * try (Session s = Session.open(Models.byName("edgenext_xx_small"), Path.of("model.safetensors"),
 *                               ClContext.open(null, null))) {
 *     HostTensor logits = s.run(inputNchw).get("logits");
 * }
 * }</pre>
 *
 * One execution plan is kept per input shape (batch, height, width), so repeated calls of the
 * same shape only write the input, enqueue and read back.
 */
public final class Session implements AutoCloseable {
    private final ClContext ctx;
    private final boolean ownsContext;
    private final VisionModel model;
    private final Weights weights;
    private final Set<String> disabledRules;
    private final Map<String, Plan> plans = new HashMap<>();
    private boolean weightsChecked;

    private Session(ClContext ctx, boolean ownsContext, VisionModel model, Weights weights, Set<String> disabledRules) {
        this.ctx = ctx;
        this.ownsContext = ownsContext;
        this.model = model;
        this.weights = weights;
        this.disabledRules = Set.copyOf(disabledRules);
        FusionScheduler.validate(this.disabledRules);
    }

    /** A session over a weights file (safetensors or PyTorch checkpoint, key layout detected). */
    public static Session open(VisionModel model, Path weightsFile, ClContext ctx) {
        return new Session(ctx, false, model, ModelWeights.load(weightsFile, "auto"), Set.of());
    }

    /**
     * The general form: {@code ownsContext} closes the context with the session;
     * {@code disabledRules} names fusion rules to switch off (all of {@link FusionScheduler#RULES} = unfused).
     */
    public static Session open(VisionModel model, Weights weights, ClContext ctx, boolean ownsContext,
                               Set<String> disabledRules) {
        return new Session(ctx, ownsContext, model, weights, disabledRules);
    }

    public VisionModel model() {
        return model;
    }

    public ClContext context() {
        return ctx;
    }

    /** The plan for an input shape, built on first use (weights checked against the spec then). */
    public Plan plan(int batch, int h, int w) {
        String key = batch + "x" + h + "x" + w;
        Plan p = plans.get(key);
        if (p == null) {
            Graph g = graph(batch, h, w);
            p = new Plan(ctx, g);
            plans.put(key, p);
        }
        return p;
    }

    /** The fused graph for an input shape (no device work). */
    public Graph graph(int batch, int h, int w) {
        if (batch <= 0) throw new EdgeClException("batch size must be positive, got " + batch);
        Graph g = model.build(weights, batch, h, w);
        if (!weightsChecked) {
            weights.finish();
            weightsChecked = true;
        }
        FusionScheduler.apply(g, disabledRules);
        return g;
    }

    /** Runs an NCHW float batch; returns "logits" and, when asked, each "features.i" (NCHW). */
    public Map<String, HostTensor> run(HostTensor nchw, boolean features) {
        int[] s = nchw.shape();
        if (s.length != 4) {
            throw new EdgeClException("input must be NCHW (4 dimensions), got shape " + nchw.shapeString());
        }
        model.checkInput(s[1], s[2], s[3]);
        Plan p = plan(s[0], s[2], s[3]);
        p.run(nchw);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("logits", p.read("logits"));
        if (features) {
            for (String f : model.featureNames()) out.put(f, p.read(f));
        }
        return out;
    }

    public Map<String, HostTensor> run(HostTensor nchw) {
        return run(nchw, false);
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) p.close();
        plans.clear();
        if (ownsContext) ctx.close();
    }
}
