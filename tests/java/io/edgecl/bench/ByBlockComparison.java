package io.edgecl.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.api.Session;
import io.edgecl.api.SessionOptions;
import io.edgecl.models.ModelWeights;
import io.edgecl.models.Models;
import io.edgecl.models.VisionModel;
import io.edgecl.models.Weights;
import io.edgecl.profile.LaunchTiming;
import io.edgecl.profile.Profile;
import io.edgecl.profile.Stats;
import io.edgecl.tensor.HostTensor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where the time of one forward goes in each engine, block by block: ONNX Runtime's per-node
 * profile on EdgeCL's ONNX export (whose node names start with EdgeCL's block, {@code
 * BLOCK|NODE/OP_N}, and keep it through ORT's fusions) or on another export ({@code --onnx}: a
 * {@code torch.onnx} export's module scopes give the blocks) against EdgeCL's per-launch device
 * times. Each engine runs in a child JVM of its own, one after the other, {@code rounds} times in
 * turn; a node's or launch's time is its median over a round's {@code iters} forwards, a block's
 * the sum of its nodes', and the table gives each block's median over the rounds. The layout
 * reorders ORT inserts between its blocked NCHWc convolutions are a row of their own. Both columns are kernel time only: the time between kernels (EdgeCL's launch gaps, ORT's
 * scheduling) is in neither, and the last line says how far each sum is from the engine's
 * forward.
 *
 * <pre>tools/bench-vs-onnxruntime.sh --by-block MODEL [--size S] [--batch B] [--iters N] [--rounds R]
 *     [--threads T] [-w WEIGHTS] [--onnx FILE]</pre>
 */
public final class ByBlockComparison {
    /** The row of the layout reorders ONNX Runtime adds to the graph (their names carry no block). */
    static final String ORT_ADDED = "(layout reorders ORT added)";

    private ByBlockComparison() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Arrays.copyOfRange(args, 1, args.length));
            System.exit(0);
        }
        ComparisonArgs a = ComparisonArgs.parse(args, 50, 3);
        VisionModel model = Models.byName(a.name());
        int s = a.size() > 0 ? a.size() : model.preprocess().size();
        Path onnx =
                a.onnx() != null ? Path.of(a.onnx()) : OwnProcessComparison.export(model, a.weights(), a.batch(), s);
        String source = a.onnx() != null ? "ONNX from " + onnx.getFileName() : "EdgeCL's export";
        String common = a.name() + " " + a.batch() + " " + s + " " + a.iters() + " " + a.threads() + " "
                + (a.weights() == null ? "-" : a.weights()) + " " + onnx;
        List<Map<String, Double>> ort = new ArrayList<>(), cl = new ArrayList<>();
        Map<String, String> ortOps = new LinkedHashMap<>();
        String device = "";
        for (int r = 0; r < a.rounds(); r++) {
            for (int k = 0; k < 2; k++) {
                boolean runOrt = (r + k) % 2 == 0;
                List<String> lines = runChild((runOrt ? "ort " : "edgecl ") + common);
                Map<String, Double> m = new LinkedHashMap<>();
                for (String l : lines) {
                    String[] f = l.split("\t");
                    if (f[0].equals("block")) {
                        m.put(f[1], Double.parseDouble(f[2]));
                        if (runOrt && f.length > 3) ortOps.put(f[1], f[3]);
                    } else if (f[0].equals("forward") || f[0].equals("plain")) {
                        m.put("\t" + f[0], Double.parseDouble(f[1]));
                    } else if (f[0].equals("device")) {
                        device = f[1];
                    }
                }
                (runOrt ? ort : cl).add(m);
            }
        }
        print(a, s, source, device, median(ort), median(cl), ortOps);
    }

    /** Each key's median over the rounds (a key missing from a round counts as absent there). */
    static Map<String, Double> median(List<Map<String, Double>> rounds) {
        Map<String, List<Double>> all = new LinkedHashMap<>();
        for (Map<String, Double> r : rounds)
            r.forEach((k, v) -> all.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        Map<String, Double> out = new LinkedHashMap<>();
        all.forEach((k, v) -> out.put(k, median(v, 0)));
        return out;
    }

    /** The median of {@code values} after the first {@code skip} (all of them when there are no more); NaN for none. */
    static double median(List<Double> values, int skip) {
        List<Double> v = values.size() > skip ? values.subList(skip, values.size()) : values;
        double[] d = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return d.length == 0 ? Double.NaN : d[d.length / 2];
    }

    private static void print(
            ComparisonArgs a,
            int s,
            String source,
            String device,
            Map<String, Double> ort,
            Map<String, Double> cl,
            Map<String, String> ortOps) {
        // EdgeCL's blocks in launch order, then any only ORT has
        Set<String> blocks = new LinkedHashSet<>();
        for (String k : cl.keySet()) if (!k.startsWith("\t")) blocks.add(k);
        for (String k : ort.keySet()) if (!k.startsWith("\t")) blocks.add(k);
        System.out.printf(
                Locale.ROOT,
                "%s [%d, 3, %d, %d]: kernel time per block, ONNX Runtime %s (CPU, %d threads, %s) and"
                        + " EdgeCL on %s, each in its own process; median of %d rounds, each the median of %d"
                        + " forwards%n",
                a.name(),
                a.batch(),
                s,
                s,
                OrtEnvironment.getEnvironment().getVersion(),
                a.threads(),
                source,
                device,
                a.rounds(),
                a.iters());
        System.out.printf(
                Locale.ROOT,
                "  %-34s %10s %10s %9s %7s  %s%n",
                "block",
                "ORT us",
                "EdgeCL us",
                "diff us",
                "ratio",
                "ORT's nodes");
        double so = 0, sc = 0;
        List<String[]> gaps = new ArrayList<>();
        for (String b : blocks) {
            Double o = ort.get(b), c = cl.get(b);
            so += o == null ? 0 : o;
            sc += c == null ? 0 : c;
            double d = (c == null ? 0 : c) - (o == null ? 0 : o);
            gaps.add(new String[] {b, String.valueOf(d)});
            System.out.printf(
                    Locale.ROOT,
                    "  %-34s %10s %10s %+9.1f %7s  %s%n",
                    b,
                    o == null ? "-" : String.format(Locale.ROOT, "%.1f", o),
                    c == null ? "-" : String.format(Locale.ROOT, "%.1f", c),
                    d,
                    o == null || c == null || o == 0 ? "" : String.format(Locale.ROOT, "%.2f", c / o),
                    ortOps.getOrDefault(b, ""));
        }
        System.out.printf(
                Locale.ROOT, "  %-34s %10.1f %10.1f %+9.1f %7.2f%n", "kernels, all blocks", so, sc, sc - so, sc / so);
        Double fo = ort.get("\tforward"), fc = cl.get("\tforward");
        Double po = ort.get("\tplain"), pc = cl.get("\tplain");
        System.out.printf(
                Locale.ROOT,
                "  a profiled forward, end to end: ONNX Runtime %.1f us (%.1f outside its nodes), EdgeCL %.1f us"
                        + " (%.1f outside its kernels: launch gaps, input and output)%n",
                fo,
                fo - so,
                fc,
                fc - sc);
        System.out.printf(
                Locale.ROOT,
                "  a forward unprofiled (wall, input in and output out): ONNX Runtime %.1f us, EdgeCL %.1f us (%.2f);"
                        + " ORT's profiler adds %.0f%% to its forward, so its node times are upper bounds%n",
                po,
                pc,
                pc / po,
                100 * (fo / po - 1));
        gaps.sort((x, y) -> Double.compare(Double.parseDouble(y[1]), Double.parseDouble(x[1])));
        StringBuilder top = new StringBuilder();
        for (int i = 0; i < Math.min(8, gaps.size()); i++) {
            if (Double.parseDouble(gaps.get(i)[1]) <= 0) break;
            top.append(top.length() > 0 ? ", " : "")
                    .append(gaps.get(i)[0])
                    .append(String.format(Locale.ROOT, " %+.0f", Double.parseDouble(gaps.get(i)[1])));
        }
        System.out.println("  EdgeCL's largest excess, us: " + (top.length() > 0 ? top : "none"));
    }

    /** Runs a child JVM with this classpath and returns its standard output's lines. */
    private static List<String> runChild(String args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ByBlockComparison.class.getName(),
                "--child"));
        cmd.addAll(List.of(args.split(" ")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        String spin = System.getenv("EDGECL_POCL_SPIN_LIB");
        if (args.startsWith("edgecl ") && spin != null && !spin.isEmpty()) {
            String preload = pb.environment().get("LD_PRELOAD");
            pb.environment().put("LD_PRELOAD", preload == null || preload.isEmpty() ? spin : preload + ":" + spin);
        }
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = in.readLine()) != null; ) lines.add(l);
        }
        if (p.waitFor() != 0) throw new IllegalStateException("child failed: " + String.join(" ", cmd));
        return lines;
    }

    /**
     * A child: ENGINE NAME BATCH SIZE ITERS THREADS WEIGHTS ONNX. Prints "device\tNAME", a
     * "block\tNAME\tUS[\tOPS]" line per block and "forward\tUS" (a profiled forward's median).
     */
    private static void child(String[] a) throws Exception {
        String engine = a[0], name = a[1], weights = a[6], onnx = a[7];
        int batch = Integer.parseInt(a[2]), s = Integer.parseInt(a[3]), iters = Integer.parseInt(a[4]);
        int threads = Integer.parseInt(a[5]);
        HostTensor input = ComparisonArgs.input(batch, s);
        int warmup = Math.max(30, iters);
        if (engine.equals("ort")) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            Path prefix = Files.createTempDirectory("ort-profile").resolve("p");
            String file = null;
            double plain = 0;
            // profiled, then the same forwards without the profiler (it costs ORT time per node)
            for (boolean profiled : new boolean[] {true, false}) {
                try (OrtSession.SessionOptions opts = ComparisonArgs.ortOptions(threads)) {
                    if (profiled) opts.enableProfiling(prefix.toString());
                    try (OrtSession ort = env.createSession(onnx, opts);
                            OnnxTensor t = ComparisonArgs.ortTensor(env, input)) {
                        String in = ort.getInputNames().iterator().next();
                        Forward f = () -> {
                            try (OrtSession.Result r = ort.run(Map.of(in, t))) {
                                r.get(0);
                            }
                        };
                        if (profiled) {
                            for (int i = 0; i < warmup + iters; i++) f.run();
                            file = ort.endProfiling();
                        } else {
                            plain = medianUs(warmup, iters, f);
                        }
                    }
                }
            }
            System.out.println("plain\t" + plain);
            System.out.println("device\tCPU");
            Path f = Path.of(file);
            Set<String> blocks = new LinkedHashSet<>();
            for (io.edgecl.graph.Node n : Models.byName(name)
                    .build(Weights.synthetic(0L), batch, s, s)
                    .nodes()) {
                blocks.add(n.block().name());
            }
            print(ortBlocks(Files.readString(f), warmup, blocks));
            Files.deleteIfExists(f);
        } else {
            VisionModel model = Models.byName(name);
            Weights w = weights.equals("-") ? Weights.synthetic(0L) : ModelWeights.load(Path.of(weights), "auto");
            try (Session session = Session.open(model, w, SessionOptions.defaults())) {
                System.out.println("device\t" + session.device().name());
                float[] out = session.run(input).get(model.primaryOutput()).data();
                System.out.println("plain\t" + medianUs(warmup, iters, () -> session.runInto(input, out)));
                Profile p = session.profile(input, warmup, iters);
                Map<String, double[]> blocks = new LinkedHashMap<>();
                for (LaunchTiming l : p.launches()) {
                    blocks.computeIfAbsent(l.launch().block(), k -> new double[1])[0] += l.durationNs() / 1e3;
                }
                Map<String, Object[]> rows = new LinkedHashMap<>();
                blocks.forEach((k, v) -> rows.put(k, new Object[] {v[0], ""}));
                rows.put("\tforward", new Object[] {Stats.of(p.forwardNs()).medianMs() * 1e3, ""});
                print(rows);
            }
        }
    }

    private interface Forward {
        void run() throws Exception;
    }

    /** The median wall time of {@code iters} forwards after {@code warmup}, in microseconds. */
    private static double medianUs(int warmup, int iters, Forward f) throws Exception {
        for (int i = 0; i < warmup; i++) f.run();
        long[] ns = new long[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            f.run();
            ns[i] = System.nanoTime() - t0;
        }
        return Stats.of(ns).medianMs() * 1e3;
    }

    private static void print(Map<String, Object[]> rows) {
        rows.forEach((k, v) -> {
            if (k.equals("\tforward")) System.out.println("forward\t" + v[0]);
            else System.out.println("block\t" + k + "\t" + v[0] + (((String) v[1]).isEmpty() ? "" : "\t" + v[1]));
        });
    }

    /**
     * ONNX Runtime's profile (a Chrome trace) summed per block: each node's median kernel time
     * over the forwards after {@code warmup}, then added up per block ({@link #blockOf}). A node
     * whose name names no block (one ORT's fusions made, such as BiasGelu, or h-swish's
     * HardSigmoid and Mul) counts to the block of the node before it in the run; ORT's layout
     * reorders are a row of their own ({@link #ORT_ADDED}). Returns block to {microseconds, the
     * nodes' op types}, and "\tforward" to a forward's median.
     */
    static Map<String, Object[]> ortBlocks(String json, int warmup, Set<String> blocks) {
        JsonArray events = JsonParser.parseString(json).getAsJsonArray();
        Map<String, List<Double>> nodes = new LinkedHashMap<>();
        Map<String, String> ops = new LinkedHashMap<>();
        List<Double> runs = new ArrayList<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("dur") || !o.has("name")) continue;
            String cat = o.has("cat") ? o.get("cat").getAsString() : "",
                    n = o.get("name").getAsString();
            double dur = o.get("dur").getAsDouble();
            if (cat.equals("Session") && n.equals("model_run")) runs.add(dur);
            if (!cat.equals("Node") || !n.endsWith("_kernel_time")) continue;
            String node = n.substring(0, n.length() - "_kernel_time".length());
            nodes.computeIfAbsent(node, k -> new ArrayList<>()).add(dur);
            JsonObject args = o.has("args") ? o.getAsJsonObject("args") : null;
            if (args != null && args.has("op_name"))
                ops.put(node, args.get("op_name").getAsString());
        }
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Set<String>> blockOps = new LinkedHashMap<>();
        // nodes in the order of the first run, which is the order ORT runs them
        String previous = null;
        for (Map.Entry<String, List<Double>> e : nodes.entrySet()) {
            String node = e.getKey(), op = ops.getOrDefault(node, "?");
            String block = blockOf(node, blocks);
            if (block == null) block = op.startsWith("Reorder") || previous == null ? ORT_ADDED : previous;
            else previous = block;
            sums.computeIfAbsent(block, k -> new double[1])[0] += median(e.getValue(), warmup);
            blockOps.computeIfAbsent(block, k -> new LinkedHashSet<>()).add(op);
        }
        Map<String, Object[]> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, new Object[] {v[0], String.join("+", blockOps.get(k))}));
        out.put("\tforward", new Object[] {median(runs, warmup), ""});
        return out;
    }

    /**
     * The EdgeCL block an ORT node's name names, or null. EdgeCL's export names nodes
     * BLOCK|NODE/OP_N and their outputs tN_BLOCK|VALUE (intermediate ones tmpN_BLOCK|); ORT's
     * fusions keep the first node's name, and its NCHWc layout transformer names a node after
     * its output (tN_BLOCK|VALUE_nchwc). {@code torch.onnx} names a node by its module's scopes
     * (/stages/stages.0/blocks/blocks.1/conv_dw/Conv, or its output .../Conv_output_0): the
     * module path stages.0.blocks.1.conv_dw lies in the block of {@code blocks} that is its
     * longest prefix.
     */
    static String blockOf(String node, Set<String> blocks) {
        int bar = node.indexOf('|');
        if (bar >= 0) return node.substring(0, bar).replaceFirst("^(t|tmp)[0-9]+_", "");
        if (!node.startsWith("/")) return null;
        String[] scopes = node.substring(1).split("/");
        List<String> path = new ArrayList<>();
        // the last part is the op or its output; a scope that extends the one before replaces it
        for (int i = 0; i < scopes.length - 1; i++) {
            String c = scopes[i];
            if (!path.isEmpty() && c.startsWith(path.get(path.size() - 1) + ".")) path.set(path.size() - 1, c);
            else path.add(c);
        }
        String module = String.join(".", path), best = null;
        for (String b : blocks) {
            if ((module.equals(b) || module.startsWith(b + ".")) && (best == null || b.length() > best.length())) {
                best = b;
            }
        }
        return best;
    }
}
