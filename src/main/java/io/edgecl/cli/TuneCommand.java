package io.edgecl.cli;

import io.edgecl.api.Tuner;
import io.edgecl.models.VisionModel;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgecl tune}: measures kernel variants for a model's shapes on this device and caches the winners. */
@Command(
        name = "tune",
        mixinStandardHelpOptions = true,
        description = "Measure the GEMM kernel variants on every shape the model runs (device time from events) and "
                + "keep the fastest per shape only if the whole forward gets faster; then try every variant of the "
                + "other kernel families (conv, depthwise, LayerNorm, attention, ...) on the whole forward and keep "
                + "one only if it is faster beyond the noise of alternating rounds. Choices are stored per device, "
                + "driver, precision, kernel and shape.")
public final class TuneCommand extends SessionCommand {
    @picocli.CommandLine.Mixin
    ShapeOptions shape;

    @Option(
            names = "--reps",
            paramLabel = "N",
            defaultValue = "5",
            description = "Timed runs per candidate (default: 5).")
    int reps;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "5",
            description = "Alternating rounds of the before/after forward comparison (default: 5).")
    int rounds;

    @Override
    public Integer call() {
        VisionModel model = modelOptions.modelOrDemo();
        int s = shape.size(model.preprocess().size());
        int batch = shape.batch;
        model.checkInput(3, s, s);
        if (batch <= 0 || reps <= 0 || rounds <= 0) {
            throw new io.edgecl.EdgeClException("--batch, --reps and --rounds must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s [%d, 3, %d, %d]: GEMM shapes%n", model.name(), batch, s, s);
        out.printf(Locale.ROOT, "  %-22s %12s %12s  %-10s %8s%n", "M x N x K", "default us", "best us", "best", "gain");
        out.flush();
        Tuner.Report r = Tuner.tune(
                model,
                sessionOptions(),
                batch,
                s,
                reps,
                rounds,
                x -> {
                    if (x instanceof Tuner.ShapeResult sh) {
                        out.printf(
                                Locale.ROOT,
                                "  %-22s %12.1f %12.1f  %-10s %7.2fx%n",
                                sh.m() + " x " + sh.n() + " x " + sh.k(),
                                sh.defaultUs(),
                                sh.bestUs(),
                                sh.best(),
                                sh.defaultUs() / sh.bestUs());
                    } else if (x instanceof Tuner.VariantResult v) {
                        if (v.rounds() == 0) {
                            out.printf(
                                    Locale.ROOT,
                                    "  %-11s %-13s %4d  %9s %9s  %-7s (what runs now)%n",
                                    v.family(),
                                    v.variant(),
                                    v.ops(),
                                    "",
                                    "",
                                    "");
                        } else {
                            out.printf(
                                    Locale.ROOT,
                                    "  %-11s %-13s %4d  %9.3f %9.3f  %3d/%-3d %s%n",
                                    v.family(),
                                    v.variant(),
                                    v.ops(),
                                    v.currentMs(),
                                    v.variantMs(),
                                    v.wins(),
                                    v.rounds(),
                                    v.kept() ? "kept" : "-");
                        }
                    }
                    out.flush();
                },
                () -> {
                    out.printf(
                            Locale.ROOT,
                            "kernel families (each variant forced on all of the family's ops, whole forward, "
                                    + "device ms):%n  %-11s %-13s %4s  %9s %9s  %-7s%n",
                            "family",
                            "variant",
                            "ops",
                            "current",
                            "variant",
                            "faster");
                    out.flush();
                });
        out.printf(
                Locale.ROOT,
                "GEMM choices on %s (device time, median of %d alternating rounds): before %.3f ms, "
                        + "after %.3f ms: %s%n",
                r.device(),
                rounds,
                r.beforeMs(),
                r.afterMs(),
                r.kept()
                        ? "kept"
                        : String.format(
                                Locale.ROOT,
                                "not kept (not %.1f%% faster in %.0f%% of the rounds)",
                                100 * r.requiredGain(),
                                100 * Tuner.MIN_WINS));
        out.printf(
                Locale.ROOT,
                "noise floor: %.1f%% between two sessions of the same choices; a choice needed " + "%.1f%%%n",
                100 * r.noise(),
                100 * r.requiredGain());
        out.printf(
                Locale.ROOT,
                "forward: %.3f ms before tuning, %.3f ms after; choices in %s%n",
                r.startMs(),
                r.endMs(),
                r.file());
        out.flush();
        return 0;
    }
}
