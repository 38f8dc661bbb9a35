package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.edgecl.models.GoldenCase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileBenchCliTest {
    private static String config(Path dir) throws Exception {
        Path c = dir.resolve("case.json");
        Files.copy(GoldenCase.load("edgenext_tiny").dir().resolve("case.json"), c);
        return c.toString();
    }

    /** {@code command} on the tiny EdgeNeXt of {@code cfg} with random weights at 64 x 64, then {@code more}. */
    private static PredictCliTest.Result tiny(String command, String cfg, String... more) {
        String[] args = new String[6 + more.length];
        String[] head = {command, "--model-config", cfg, "--random-weights", "--size", "64"};
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(more, 0, args, head.length, more.length);
        return PredictCliTest.run(args);
    }

    @Test
    void profileWritesTablesTraceAndCsv(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.json"), csv = dir.resolve("p.csv");
        var r = tiny(
                "profile",
                config(dir),
                "--iters",
                "2",
                "--warmup",
                "1",
                "--trace",
                trace.toString(),
                "--csv",
                csv.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("by kernel:")
                        && r.out().contains("by op type:")
                        && r.out().contains("by block:"),
                r.out());
        assertTrue(r.out().contains("stages.1.blocks.1"), "block roll-up names blocks");
        JsonObject doc = JsonParser.parseString(Files.readString(trace)).getAsJsonObject();
        long launches = doc.getAsJsonArray("traceEvents").asList().stream()
                .filter(e -> e.getAsJsonObject().get("ph").getAsString().equals("X")
                        && e.getAsJsonObject().get("tid").getAsInt() == 1)
                .count();
        long csvRows = Files.readAllLines(csv).size() - 1;
        assertTrue(launches > 10, "one event per launch");
        assertEquals(csvRows, launches, "trace and csv list the same launches");
    }

    /** The wall time's parts add up to it, and each is a duration (PoCL gives enqueue times too). */
    @Test
    void profileSplitsTheWallTime(@TempDir Path dir) throws Exception {
        String cfg = config(dir);
        var r = tiny("profile", cfg, "--iters", "10", "--warmup", "1", "--by", "block", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject b = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("wall_breakdown_ms");
        double wall = b.get("wall").getAsDouble(), kernels = b.get("kernels").getAsDouble();
        double sum = b.get("input_write").getAsDouble()
                + b.get("first_launch_start").getAsDouble()
                + kernels
                + b.get("gaps").getAsDouble()
                + b.get("rest").getAsDouble();
        assertEquals(wall, sum, 1e-3 * wall + 1e-6, b.toString());
        assertTrue(kernels > 0 && kernels < wall, b.toString());
        for (String k : java.util.List.of("input_write", "first_launch_start", "gaps", "gaps_waiting_for_host")) {
            assertTrue(b.get(k).getAsDouble() >= 0, k + " in " + b);
        }
        assertTrue(b.get("gaps_waiting_for_host").getAsDouble() <= b.get("gaps").getAsDouble(), b.toString());
        var text = tiny("profile", cfg, "--iters", "3", "--by", "block");
        assertTrue(text.out().contains("gaps between launches"), text.out());
    }

    @Test
    void benchReportsFewerLaunchesFused(@TempDir Path dir) throws Exception {
        String cfg = config(dir);
        var fused = tiny("bench", cfg, "--iters", "2", "--warmup", "0", "--json");
        var unfused = tiny("bench", cfg, "--iters", "2", "--warmup", "0", "--json", "--no-fuse");
        assertEquals(0, fused.code(), fused.err());
        assertEquals(0, unfused.code(), unfused.err());
        JsonObject f = JsonParser.parseString(fused.out()).getAsJsonObject();
        JsonObject u = JsonParser.parseString(unfused.out()).getAsJsonObject();
        int lf = f.get("launches_per_forward").getAsInt(),
                lu = u.get("launches_per_forward").getAsInt();
        assertTrue(lf < lu, "fused " + lf + " < unfused " + lu);
        assertTrue(f.get("peak_device_bytes").getAsLong() > 0);
        // the host's share of a forward: positive, and less than the whole forward
        JsonObject host = f.getAsJsonObject("host_enqueue_ms"), wall = f.getAsJsonObject("wall_ms");
        double hostMs = host.get("medianMs").getAsDouble();
        assertTrue(hostMs > 0 && hostMs <= wall.get("medianMs").getAsDouble(), host + " vs " + wall);
        assertTrue(
                f.get("activation_bytes").getAsLong()
                        < f.get("all_activations_bytes").getAsLong(),
                "planner shares buffers");
    }

    /** --ab: pairs of forwards, A's and B's times, the ratio's quartiles in order, the outputs compared. */
    @Test
    void benchAbTimesTwoConfigurationsInTurn(@TempDir Path dir) throws Exception {
        String cfg = config(dir);
        var r = tiny(
                "bench",
                cfg,
                "--iters",
                "6",
                "--warmup",
                "1",
                "--ab",
                "no-fuse=gemm-act",
                "--ab",
                "kernel=gemm=panel:8x16",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject j = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(6, j.get("pairs").getAsInt());
        assertEquals(2, j.getAsJsonArray("changes_in_b").size());
        JsonObject q = j.getAsJsonObject("b_over_a");
        double p25 = q.get("p25").getAsDouble(),
                med = q.get("median").getAsDouble(),
                p75 = q.get("p75").getAsDouble();
        assertTrue(p25 > 0 && p25 <= med && med <= p75, q.toString());
        assertTrue(j.getAsJsonObject("a_ms").get("medianMs").getAsDouble() > 0);
        assertTrue(j.get("outputs_max_abs_diff").getAsDouble() < 1e-3, j.toString());
        var text = tiny("bench", cfg, "--iters", "2", "--ab", "no-fuse");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("B/A pair by pair"), text.out());
        var bad = PredictCliTest.run("bench", "--model-config", cfg, "--random-weights", "--ab", "fuse=everything");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--ab fuse=everything") && bad.err().contains("kernel=FAMILY=VALUE"), bad.err());
    }

    @Test
    void unknownFusionRuleIsAnError(@TempDir Path dir) throws Exception {
        var r = PredictCliTest.run("bench", "--model-config", config(dir), "--random-weights", "--no-fuse=bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown fusion rule 'bogus'"), r.err());
    }
}
