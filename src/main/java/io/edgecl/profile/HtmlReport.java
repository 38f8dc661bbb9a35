package io.edgecl.profile;

import io.edgecl.io.OutputFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One self-contained HTML page of a profile: a roofline chart (each kernel at its arithmetic
 * intensity against its achieved GFLOP/s, under the device's measured compute and bandwidth
 * ceilings), per-block time bars, the launch timeline of one forward, and the kernel table.
 * Inline SVG and CSS only: no script, no font or file fetched when the page is viewed.
 */
public final class HtmlReport {
    private static final String[] PALETTE = {
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
        "#1f77b4", "#2ca02c"
    };

    private HtmlReport() {}

    /** Writes the page atomically (a temporary file renamed over {@code file}). */
    public static void write(Path file, Profile p, DevicePeak peak, String title) {
        OutputFiles.writeString(file, render(p, peak, title));
    }

    public static String render(Profile p, DevicePeak peak, String title) {
        Map<String, String> colors = new LinkedHashMap<>();
        for (LaunchTiming l : p.launches()) {
            colors.computeIfAbsent(l.launch().op(), k -> PALETTE[colors.size() % PALETTE.length]);
        }
        Stats fwd = Stats.of(p.forwardNs());
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(title))
                .append(" — EdgeCL profile</title>\n<style>\n")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\n")
                .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n")
                .append("table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;text-align:right}\n")
                .append("td:first-child,th:first-child{text-align:left}tr:nth-child(even){background:#f4f4f4}\n")
                .append("svg text{font:11px system-ui,sans-serif;fill:#333}.legend span{margin-right:14px}\n")
                .append(".sw{display:inline-block;width:10px;height:10px;margin-right:4px}\n")
                .append("</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>");
        b.append(String.format(
                Locale.ROOT,
                "Forward: %.3f ms device time (median of %d), %d launches, kernels busy %.3f ms. "
                        + "Device peak (measured): %.1f GFLOP/s, %.1f GB/s.",
                fwd.medianMs(),
                fwd.n(),
                p.launches().size(),
                p.busyNs() / 1e6,
                peak.gflops(),
                peak.gbps()));
        b.append("</p>\n<p>")
                .append(esc(p.breakdown().describe(p.launches().size(), fwd.n())))
                .append("</p>\n<p class=\"legend\">");
        colors.forEach((op, c) -> b.append("<span><i class=\"sw\" style=\"background:")
                .append(c)
                .append("\"></i>")
                .append(esc(op))
                .append("</span>"));
        b.append("</p>\n");
        b.append("<h2>Roofline</h2>\n");
        roofline(b, p, peak, colors);
        b.append("<h2>Time per block</h2>\n");
        blocks(b, p);
        b.append("<h2>Launch timeline (one forward)</h2>\n");
        timeline(b, p, colors);
        b.append("<h2>Kernels</h2>\n");
        kernels(b, p, peak);
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void roofline(StringBuilder b, Profile p, DevicePeak peak, Map<String, String> colors) {
        List<Profile.Row> rows = new ArrayList<>();
        for (Profile.Row r : p.byKernel()) if (r.flops() > 0 && r.bytes() > 0 && r.totalNs() > 0) rows.add(r);
        double busy = Math.max(1, p.busyNs());
        double ridge = peak.gflops() / peak.gbps();
        double xmin = ridge, xmax = ridge, ymin = peak.gflops(), ymax = peak.gflops();
        for (Profile.Row r : rows) {
            double ai = r.flops() / (double) r.bytes();
            xmin = Math.min(xmin, ai);
            xmax = Math.max(xmax, ai);
            ymin = Math.min(ymin, r.gflops());
        }
        double lx0 = Math.floor(Math.log10(xmin)) - 0.2, lx1 = Math.ceil(Math.log10(xmax)) + 0.2;
        double ly0 = Math.floor(Math.log10(Math.max(1e-3, ymin))) - 0.2, ly1 = Math.log10(ymax) + 0.5;
        int w = 760, h = 420, ml = 60, mb = 40, mt = 10, mr = 20;
        Axis ax = new Axis(ml, w - mr, lx0, lx1);
        Axis ay = new Axis(h - mb, mt, ly0, ly1);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"roofline\" width=\"")
                .append(w)
                .append("\" height=\"")
                .append(h)
                .append("\" viewBox=\"0 0 ")
                .append(w)
                .append(' ')
                .append(h)
                .append("\">\n<rect x=\"")
                .append(ml)
                .append("\" y=\"")
                .append(mt)
                .append("\" width=\"")
                .append(w - ml - mr)
                .append("\" height=\"")
                .append(h - mt - mb)
                .append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n");
        for (int e = (int) Math.ceil(lx0); e <= lx1; e++) {
            double x = ax.at(e);
            line(b, x, mt, x, h - mb, "#e4e4e4");
            text(b, x, h - mb + 14, "middle", "1e" + e);
        }
        for (int e = (int) Math.ceil(ly0); e <= ly1; e++) {
            double y = ay.at(e);
            line(b, ml, y, w - mr, y, "#e4e4e4");
            text(b, ml - 6, y + 4, "end", "1e" + e);
        }
        text(b, (ml + w - mr) / 2.0, h - 6, "middle", "arithmetic intensity (FLOP/byte)");
        b.append("<text transform=\"translate(14,")
                .append((mt + h - mb) / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">")
                .append("GFLOP/s</text>\n");
        // The ceilings: bandwidth slope up to the ridge point, then the compute roof.
        double lr = Math.log10(ridge);
        b.append(String.format(
                Locale.ROOT,
                "<polyline class=\"ceiling\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n",
                ax.at(lx0),
                ay.at(lx0 + Math.log10(peak.gbps())),
                ax.at(lr),
                ay.at(Math.log10(peak.gflops())),
                ax.at(lx1),
                ay.at(Math.log10(peak.gflops()))));
        text(
                b,
                ax.at(lx1) - 4,
                ay.at(Math.log10(peak.gflops())) - 6,
                "end",
                String.format(Locale.ROOT, "compute %.1f GFLOP/s", peak.gflops()));
        text(
                b,
                ax.at(lx0) + 6,
                ay.at(lx0 + Math.log10(peak.gbps())) - 8,
                "start",
                String.format(Locale.ROOT, "memory %.1f GB/s", peak.gbps()));
        for (Profile.Row r : rows) {
            double ai = r.flops() / (double) r.bytes();
            double share = r.totalNs() / busy;
            double rad = 3 + 14 * Math.sqrt(share);
            String op = opOf(r.key());
            b.append(String.format(
                    Locale.ROOT,
                    "<circle class=\"kernel\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\" stroke=\"#333\">"
                            + "<title>%s: %.1f%% of the forward, %.2f GFLOP/s, %.2f GB/s, %.2f FLOP/byte, %.1f%% of peak</title></circle>\n",
                    ax.at(Math.log10(ai)),
                    ay.at(Math.log10(Math.max(1e-3, r.gflops()))),
                    rad,
                    colors.getOrDefault(op, "#888"),
                    esc(r.key()),
                    100 * share,
                    r.gflops(),
                    r.gbps(),
                    ai,
                    100 * r.peakFraction(peak)));
        }
        b.append(
                "</svg>\n<p>Each circle is one kernel (area ∝ its share of the forward); hover for figures. "
                        + "A kernel under the slanted line is limited by memory bandwidth, under the flat one by compute.</p>\n");
    }

    private static void blocks(StringBuilder b, Profile p) {
        List<Profile.Row> rows = p.byBlock();
        int n = Math.min(rows.size(), 40);
        int w = 760, rowH = 16, ml = 220, h = n * rowH + 10;
        long max = n == 0 ? 1 : Math.max(1, rows.get(0).totalNs());
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"blocks\" width=\"")
                .append(w)
                .append("\" height=\"")
                .append(h)
                .append("\" viewBox=\"0 0 ")
                .append(w)
                .append(' ')
                .append(h)
                .append("\">\n");
        for (int i = 0; i < n; i++) {
            Profile.Row r = rows.get(i);
            double bw = (w - ml - 90) * r.totalNs() / (double) max;
            double y = 4 + i * rowH;
            String key = r.key().length() > 34 ? "…" + r.key().substring(r.key().length() - 33) : r.key();
            text(b, ml - 6, y + 11, "end", key);
            b.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"block\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"#4e79a7\"><title>%s: %.1f us, %d launches</title></rect>\n",
                    ml,
                    y,
                    Math.max(1, bw),
                    rowH - 4,
                    esc(r.key()),
                    r.totalNs() / 1e3,
                    r.launches()));
            text(b, ml + bw + 4, y + 11, "start", String.format(Locale.ROOT, "%.1f us", r.totalNs() / 1e3));
        }
        b.append("</svg>\n");
        if (rows.size() > n) b.append("<p>… ").append(rows.size() - n).append(" more blocks</p>\n");
    }

    private static void timeline(StringBuilder b, Profile p, Map<String, String> colors) {
        List<LaunchTiming> ls = p.launches();
        long end = 1;
        for (int i = 0; i < ls.size(); i++) {
            long[] se = p.lastForward().get(i);
            end = Math.max(end, se[0] + se[1]);
        }
        int w = 760, h = 60, ml = 10, mr = 10;
        double scale = (w - ml - mr) / (double) end;
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"timeline\" width=\"")
                .append(w)
                .append("\" height=\"")
                .append(h)
                .append("\" viewBox=\"0 0 ")
                .append(w)
                .append(' ')
                .append(h)
                .append("\">\n");
        for (int i = 0; i < ls.size(); i++) {
            long[] se = p.lastForward().get(i);
            LaunchTiming l = ls.get(i);
            b.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"launch\" x=\"%.2f\" y=\"6\" width=\"%.2f\" height=\"28\" fill=\"%s\"><title>#%d %s / %s (%s): start %.1f us, %.1f us</title></rect>\n",
                    ml + se[0] * scale,
                    Math.max(0.5, se[1] * scale),
                    colors.getOrDefault(l.launch().op(), "#888"),
                    l.index(),
                    esc(l.launch().block()),
                    esc(l.launch().node()),
                    esc(l.launch().kernelName()),
                    se[0] / 1e3,
                    se[1] / 1e3));
        }
        line(b, ml, 40, w - mr, 40, "#999");
        text(b, ml, 54, "start", "0");
        text(b, w - mr, 54, "end", String.format(Locale.ROOT, "%.3f ms", end / 1e6));
        b.append("</svg>\n");
    }

    private static void kernels(StringBuilder b, Profile p, DevicePeak peak) {
        double busy = Math.max(1, p.busyNs());
        b.append("<table><tr><th>kernel (op)</th><th>calls</th><th>total us</th><th>share</th><th>GFLOP/s</th>"
                + "<th>GB/s</th><th>FLOP/byte</th><th>% of peak</th><th>bound</th></tr>\n");
        for (Profile.Row r : p.byKernel()) {
            b.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%s</td><td>%d</td><td>%.1f</td><td>%.1f%%</td><td>%.2f</td><td>%.2f</td><td>%s</td><td>%.1f%%</td><td>%s</td></tr>\n",
                    esc(r.key()),
                    r.launches(),
                    r.totalNs() / 1e3,
                    100 * r.totalNs() / busy,
                    r.gflops(),
                    r.gbps(),
                    r.bytes() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.flops() / (double) r.bytes()),
                    100 * r.peakFraction(peak),
                    r.bound(peak)));
        }
        b.append("</table>\n");
    }

    /** "kernel (op)" → "op". */
    private static String opOf(String kernelKey) {
        int i = kernelKey.lastIndexOf(" (");
        return i >= 0 && kernelKey.endsWith(")") ? kernelKey.substring(i + 2, kernelKey.length() - 1) : kernelKey;
    }

    private record Axis(double p0, double p1, double v0, double v1) {
        double at(double v) {
            return p0 + (p1 - p0) * (v - v0) / (v1 - v0);
        }
    }

    private static void line(StringBuilder b, double x0, double y0, double x1, double y1, String color) {
        b.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                x0,
                y0,
                x1,
                y1,
                color));
    }

    private static void text(StringBuilder b, double x, double y, String anchor, String s) {
        b.append(String.format(
                Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n", x, y, anchor, esc(s)));
    }

    static String esc(String s) {
        StringBuilder o = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> o.append("&lt;");
                case '>' -> o.append("&gt;");
                case '&' -> o.append("&amp;");
                case '"' -> o.append("&quot;");
                default -> o.append(c);
            }
        }
        return o.toString();
    }
}
