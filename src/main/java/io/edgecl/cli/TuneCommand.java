package io.edgecl.cli;

import io.edgecl.api.Session;
import io.edgecl.cl.ClContext;
import io.edgecl.graph.Graph;
import io.edgecl.graph.Node;
import io.edgecl.graph.OpSpec;
import io.edgecl.graph.Plan;
import io.edgecl.tensor.HostTensor;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.ops.GemmTuner;
import io.edgecl.ops.Tuning;
import io.edgecl.profile.Stats;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code edgecl tune}: measures kernel variants for a model's shapes on this device and caches the winners. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Measure the GEMM kernel variants on every shape the model runs (device time from events), "
                + "store the fastest per shape for this device and driver, and report the forward before and after.")
public final class TuneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DeviceOptions deviceOptions;

    @Option(names = "--size", paramLabel = "S", description = "Input size (default: the model's).")
    Integer size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Batch size (default: 1).")
    int batch;

    @Option(names = "--reps", paramLabel = "N", defaultValue = "5", description = "Timed runs per candidate (default: 5).")
    int reps;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        VisionModel model = modelOptions.modelOrDemo();
        int s = size != null ? size : model.preprocess().size();
        model.checkInput(3, s, s);
        if (batch <= 0 || reps <= 0) throw new io.edgecl.EdgeClException("--batch and --reps must be positive");
        PrintWriter out = spec.commandLine().getOut();
        ClContext ctx = deviceOptions.open();
        try (Session session = Session.open(model, Weights.synthetic(0L), ctx, true, modelOptions.disabledRules())) {
            HostTensor input = HostTensor.zeros(batch, 3, s, s);
            double before = forwardMs(session.plan(batch, s, s), input);
            Graph g = session.graph(batch, s, s);
            Set<List<Integer>> shapes = new LinkedHashSet<>();
            for (Node n : g.nodes()) {
                if (n.op() instanceof OpSpec.Gemm) {
                    shapes.add(List.of(n.inputs().get(0).rows(), n.output().c(), n.inputs().get(0).c()));
                }
            }
            out.printf(Locale.ROOT, "%s [%d, 3, %d, %d] on %s: %d GEMM shapes%n", model.name(), batch, s, s,
                    ctx.info().name(), shapes.size());
            out.printf(Locale.ROOT, "  %-22s %12s %12s  %-10s %8s%n", "M x N x K", "default us", "best us", "best",
                    "gain");
            for (List<Integer> sh : shapes) {
                GemmTuner.Result r = GemmTuner.tune(ctx, sh.get(0), sh.get(1), sh.get(2), reps);
                out.printf(Locale.ROOT, "  %-22s %12.1f %12.1f  %-10s %7.2fx%n",
                        sh.get(0) + " x " + sh.get(1) + " x " + sh.get(2), r.beforeNanos() / 1e3, r.bestNanos() / 1e3,
                        r.best(), r.beforeNanos() / (double) r.bestNanos());
                out.flush();
            }
        }
        // a fresh session builds its plan with the stored choices
        ClContext ctx2 = deviceOptions.open();
        try (Session session = Session.open(model, Weights.synthetic(0L), ctx2, true, modelOptions.disabledRules())) {
            double after = forwardMs(session.plan(batch, s, s), HostTensor.zeros(batch, 3, s, s));
            out.printf(Locale.ROOT, "forward (device time, median of 10): before %.3f ms, after %.3f ms%n", beforeMs,
                    after);
            out.println("stored in " + Tuning.file(ctx2.info()));
        }
        out.flush();
        return 0;
    }

    private double beforeMs;

    private double forwardMs(Plan plan, HostTensor input) {
        plan.run(input);
        long[] t = new long[10];
        for (int i = 0; i < t.length; i++) {
            var events = plan.runTimed(input);
            long first = Long.MAX_VALUE, last = 0;
            for (var e : events) {
                try (e) {
                    first = Math.min(first, e.startNs());
                    last = Math.max(last, e.endNs());
                }
            }
            t[i] = last - first;
        }
        double ms = Stats.of(t).medianMs();
        if (beforeMs == 0) beforeMs = ms;
        return ms;
    }
}
