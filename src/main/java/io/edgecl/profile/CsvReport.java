package io.edgecl.profile;

import io.edgecl.io.OutputFiles;
import java.nio.file.Path;
import java.util.Locale;

/** The profiler's per-launch table as CSV, for spreadsheets and scripts. */
public final class CsvReport {
    private CsvReport() {}

    /** One row per launch of the last profiled forward: where it sits, when it ran, what it moved. */
    public static void write(Path file, Profile p, DevicePeak peak) {
        StringBuilder b = new StringBuilder(
                "index,block,node,kernel,op,start_us,duration_us,flops,bytes,gflops,gbps,peak_fraction\n");
        for (var l : p.launches()) {
            var row = new Profile.Row(
                    l.launch().node(),
                    "",
                    1,
                    l.durationNs(),
                    l.launch().flops(),
                    l.launch().bytes());
            b.append(String.format(
                    Locale.ROOT,
                    "%d,%s,%s,%s,%s,%.3f,%.3f,%d,%d,%.4f,%.4f,%.4f%n",
                    l.index(),
                    l.launch().block(),
                    l.launch().node(),
                    l.launch().kernelName(),
                    l.launch().op(),
                    p.lastForward().get(l.index())[0] / 1e3,
                    l.durationNs() / 1e3,
                    l.launch().flops(),
                    l.launch().bytes(),
                    row.gflops(),
                    row.gbps(),
                    row.peakFraction(peak)));
        }
        OutputFiles.writeString(file, b);
    }
}
