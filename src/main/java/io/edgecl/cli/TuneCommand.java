package io.edgecl.cli;

import io.edgecl.api.Tuner;
import io.edgecl.models.VisionModel;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgecl tune}: measures kernel variants for a model's shapes on this device and caches the winners. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Measure the GEMM kernel variants on every shape the model runs (device time from events), "
                + "store the fastest per shape for this device and driver, then compare the whole forward before and "
                + "after in alternating rounds and keep the new choices only if it got faster.")
public final class TuneCommand extends SessionCommand {
    @Option(names = "--size", paramLabel = "S", description = "Input size (default: the model's).")
    Integer size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "Batch size (default: 1).")
    int batch;

    @Option(names = "--reps", paramLabel = "N", defaultValue = "5", description = "Timed runs per candidate (default: 5).")
    int reps;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5",
            description = "Alternating rounds of the before/after forward comparison (default: 5).")
    int rounds;

    @Override
    public Integer call() {
        VisionModel model = modelOptions.modelOrDemo();
        int s = size != null ? size : model.preprocess().size();
        model.checkInput(3, s, s);
        if (batch <= 0 || reps <= 0 || rounds <= 0) {
            throw new io.edgecl.EdgeClException("--batch, --reps and --rounds must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s [%d, 3, %d, %d]: GEMM shapes%n", model.name(), batch, s, s);
        out.printf(Locale.ROOT, "  %-22s %12s %12s  %-10s %8s%n", "M x N x K", "default us", "best us", "best", "gain");
        out.flush();
        Tuner.Report r = Tuner.tune(model, sessionOptions(), batch, s, reps, rounds,
                sh -> {
                    out.printf(Locale.ROOT, "  %-22s %12.1f %12.1f  %-10s %7.2fx%n", sh.m() + " x " + sh.n() + " x " + sh.k(),
                            sh.defaultUs(), sh.bestUs(), sh.best(), sh.defaultUs() / sh.bestUs());
                    out.flush();
                });
        out.printf(Locale.ROOT, "forward on %s (device time, median of %d alternating rounds): before %.3f ms, "
                + "after %.3f ms%n", r.device(), rounds, r.beforeMs(), r.afterMs());
        if (r.kept()) {
            out.println("kept: stored in " + r.file());
        } else {
            out.printf(Locale.ROOT, "not kept: the forward is not %.0f%% faster, so the previous choices stay (%s)%n",
                    100 * Tuner.MIN_GAIN, r.file());
        }
        out.flush();
        return 0;
    }
}
