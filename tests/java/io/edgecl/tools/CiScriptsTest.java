package io.edgecl.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import io.edgecl.cli.JsonFields;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's own scripts fail on what they exist to catch: a failing install in .ci/run, a failing step
 * in its step runner, a jar that bundles its dependencies, a skip under EDGECL_STRICT=1, a test
 * run in which nothing ran, a GPU bundle run without selftest. Each script runs under bash in a
 * clean environment (no EDGECL_* variables from the caller, e.g. CI's EDGECL_STRICT), with stand-ins
 * for Maven, git and unshare; no OpenCL, no Maven build, a few seconds in all.
 */
class CiScriptsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final long TIMEOUT_S = 30;

    private record Result(int code, String out) {
        @Override
        public String toString() {
            return "exit " + code + ":\n" + out;
        }
    }

    /** bash ARGS in DIR with only PATH (BIN first, if given), HOME, JAVA_HOME and ENV set; stdout and stderr together. */
    private static Result bash(Path dir, Path bin, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> e = pb.environment();
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        e.clear();
        e.put("PATH", bin == null ? path : bin + ":" + path);
        e.put("HOME", dir.toString());
        e.put("LC_ALL", "C");
        e.put("JAVA_HOME", System.getProperty("java.home")); // library-check's jar lister where unzip is absent
        e.putAll(env);
        Path log = Files.createTempFile(dir, "out", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(
                    "bash " + String.join(" ", args) + " ran over " + TIMEOUT_S + " s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static Path script(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        assertTrue(file.toFile().setExecutable(true));
        return file;
    }

    /** A folder of stand-ins that write "NAME ARGS" to MARKER and exit with CODE. */
    private static Path fakes(Path dir, Path marker, int code, String... names) throws IOException {
        Path bin = dir.resolve("fakebin");
        for (String n : names) {
            script(
                    bin.resolve(n),
                    "#!/bin/sh\necho \"" + n + " $*\" >>'" + marker + "'\necho \"stand-in " + n + " called\" >&2\nexit "
                            + code + "\n");
        }
        return bin;
    }

    private static Path tool(String name) {
        return ROOT.resolve("tools").resolve(name);
    }

    // ---- .ci/run and its step runner ----

    /** A repository layout with .ci/run, tools/ci-lib.sh, a README and a stand-in install-deps.sh. */
    private static Path ciLayout(Path dir, String readme, int installExit) throws IOException {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve(".ci"));
        Files.createDirectories(repo.resolve("tools"));
        Files.copy(ROOT.resolve(".ci/run"), repo.resolve(".ci/run"));
        Files.copy(tool("ci-lib.sh"), repo.resolve("tools/ci-lib.sh"));
        Files.writeString(repo.resolve("README.md"), readme);
        script(
                repo.resolve("tools/install-deps.sh"),
                "#!/bin/sh\necho \"install-deps: $*\"\nexit " + installExit + "\n");
        return repo;
    }

    private static final String README = "# Project\n\n```bash\ntools/install-deps.sh && ./run\n```\n\n"
            + "```bash\ntools/install-deps.sh x && mvn -B verify\n```\n\nText.\n";

    @Test
    void ciRunStopsWhenTheInstallFails(@TempDir Path dir) throws Exception {
        Path repo = ciLayout(dir, README, 1);
        Path marker = dir.resolve("mvn-ran");
        Path bin = fakes(dir, marker, 0, "mvn", "clinfo");
        Result r = bash(repo, bin, Map.of(), ".ci/run");
        assertNotEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(marker), "nothing after the failed install ran: " + r);
        assertTrue(r.out().contains("install-deps: x"), r.toString());
        assertTrue(r.out().contains("=== ci: readme-tests: FAILED (exit 1) after"), r.toString());
        assertTrue(r.out().contains("ci: FAILED at step readme-tests (exit 1)"), r.toString());
    }

    @Test
    void ciRunRunsReadmesTestCommandAsReadmeGivesIt(@TempDir Path dir) throws Exception {
        Path repo = ciLayout(dir, README, 0);
        Path marker = dir.resolve("mvn-ran");
        Path bin = fakes(dir, marker, 0, "mvn", "clinfo");
        Result r = bash(repo, bin, Map.of("EDGECL_CI_STEPS", "readme-tests"), ".ci/run");
        assertEquals(0, r.code(), r.toString());
        assertEquals("mvn -B verify\n", Files.readString(marker), r.toString());
        assertTrue(
                r.out().contains("=== ci: readme-tests: bash -c tools/install-deps.sh x && mvn -B verify"),
                r.toString());
        assertTrue(r.out().contains("=== ci: clinfo: not selected"), r.toString());
        assertTrue(r.out().contains("ci: passed"), r.toString());
    }

    @Test
    void ciRunFailsWithoutReadmesTestCommand(@TempDir Path dir) throws Exception {
        Path repo = ciLayout(dir, "# Project\n\n```bash\ntools/install-deps.sh && ./run\n```\n", 0);
        Path marker = dir.resolve("ran");
        Path bin = fakes(dir, marker, 0, "mvn", "clinfo");
        Result r = bash(repo, bin, Map.of(), ".ci/run");
        assertNotEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(marker), r.toString());
        assertTrue(r.out().contains("README.md has no command in its ```bash block number 2"), r.toString());
    }

    @Test
    void stepRunnerPrintsEachStepsSecondsAndTheTotal(@TempDir Path dir) throws Exception {
        Result r = bash(
                dir,
                null,
                Map.of(),
                "-c",
                "set -euo pipefail; . '" + tool("ci-lib.sh")
                        + "'; ci_step slow sleep 0.3; ci_step quick true; ci_summary");
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                Pattern.compile("=== ci: slow: ok, 0\\.[3-9] s \\(total [0-9]+\\.[0-9] s\\)")
                        .matcher(r.out())
                        .find(),
                r.toString());
        assertTrue(
                Pattern.compile("=== ci: quick: ok, [0-9]+\\.[0-9] s \\(total [0-9]+\\.[0-9] s\\)")
                        .matcher(r.out())
                        .find(),
                r.toString());
        assertTrue(
                Pattern.compile("(?m)^===== ci: step times\n +slow +0\\.[3-9] s +ok\n +quick +[0-9.]+ s +ok\n"
                                + " +total +[0-9]+\\.[0-9] s$")
                        .matcher(r.out())
                        .find(),
                r.toString());
    }

    @Test
    void stepRunnerStopsAtTheFirstFailingStep(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("after");
        Result r = bash(
                dir,
                null,
                Map.of(),
                "-c",
                "set -euo pipefail; . '" + tool("ci-lib.sh")
                        + "'; ci_step first true; ci_step broken sh -c 'exit 3'; ci_step later touch '" + marker
                        + "'; ci_summary");
        assertEquals(3, r.code(), r.toString());
        assertFalse(Files.exists(marker), r.toString());
        assertTrue(
                Pattern.compile("=== ci: broken: FAILED \\(exit 3\\) after [0-9.]+ s \\(total [0-9.]+ s\\)")
                        .matcher(r.out())
                        .find(),
                r.toString());
        assertTrue(
                Pattern.compile("(?m)^ +broken +[0-9.]+ s +FAILED \\(exit 3\\)$")
                        .matcher(r.out())
                        .find(),
                r.toString());
    }

    @Test
    void stepRunnerRejectsAnUnknownSelectedStep(@TempDir Path dir) throws Exception {
        Result r = bash(
                dir,
                null,
                Map.of("EDGECL_CI_STEPS", "typo"),
                "-c",
                "set -euo pipefail; . '" + tool("ci-lib.sh") + "'; ci_step real true; ci_summary");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.out().contains("EDGECL_CI_STEPS names 'typo', which is no step"), r.toString());
    }

    // ---- tools/library-check.sh ----

    /**
     * A jar whose first entry is ENTRY, followed by enough entries that a listing piped into
     * `grep -q` is cut off: with pipefail, that pipeline fails on a match (unzip dies of SIGPIPE).
     */
    private static Path jar(Path file, String first) throws IOException {
        try (OutputStream o = Files.newOutputStream(file);
                ZipOutputStream z = new ZipOutputStream(o)) {
            if (first != null) {
                z.putNextEntry(new ZipEntry(first));
                z.closeEntry();
            }
            for (int i = 0; i < 3000; i++) {
                z.putNextEntry(new ZipEntry("io/edgecl/generated/SomeLongishClassName" + i + ".class"));
                z.closeEntry();
            }
        }
        return file;
    }

    @Test
    void libraryCheckRejectsAJarThatBundlesADependency(@TempDir Path dir) throws Exception {
        Path bundling = jar(dir.resolve("bundling.jar"), "picocli/CommandLine.class");
        for (int i = 0; i < 3; i++) { // the defect was intermittent, most runs missed the match
            Result r =
                    bash(dir, null, Map.of(), tool("library-check.sh").toString(), "--check-jar", bundling.toString());
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.out().contains("bundles its dependencies (picocli/CommandLine.class)"), r.toString());
        }
    }

    @Test
    void libraryCheckAcceptsAPlainJarAndFailsOnAMissingOne(@TempDir Path dir) throws Exception {
        Path plain = jar(dir.resolve("plain.jar"), "io/edgecl/api/Session.class");
        Result ok = bash(dir, null, Map.of(), tool("library-check.sh").toString(), "--check-jar", plain.toString());
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("bundles no dependency (3001 entries)"), ok.toString());
        Result missing = bash(
                dir,
                null,
                Map.of(),
                tool("library-check.sh").toString(),
                "--check-jar",
                dir.resolve("absent.jar").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.out().contains("FAILED: no jar at"), missing.toString());
    }

    @Test
    void libraryCheckSkipsAnAbsentFixtureOnlyWhenNotStrict(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("mvn-ran");
        Path bin = fakes(dir, marker, 97, "mvn");
        String weights = dir.resolve("absent/weights.safetensors").toString();
        Result lax = bash(dir, bin, Map.of(), tool("library-check.sh").toString(), weights);
        assertEquals(0, lax.code(), lax.toString());
        assertTrue(lax.out().contains("library-check: SKIPPED: " + weights + " is absent"), lax.toString());
        Result strict = bash(
                dir, bin, Map.of("EDGECL_STRICT", "1"), tool("library-check.sh").toString(), weights);
        assertEquals(1, strict.code(), strict.toString());
        assertTrue(
                strict.out()
                        .contains("is absent (the edgenext_xx_small fixture); skipping the check is not allowed"
                                + " in strict mode (EDGECL_STRICT=1)"),
                strict.toString());
        assertFalse(Files.exists(marker), "Maven did not start");
    }

    // ---- tools/fresh-machine-check.sh ----

    @Test
    void freshMachineCheckSkipsAnUnhideableLibraryOnlyWhenNotStrict(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.writeString(lib.resolve("libOpenCL.so"), "");
        Path marker = dir.resolve("ran");
        Path bin = fakes(dir, marker, 97, "unshare", "git", "mvn"); // unshare refused; git and mvn must not run
        Map<String, String> env = Map.of("EDGECL_FRESH_LIBDIRS", lib.toString());
        Result lax = bash(dir, bin, env, tool("fresh-machine-check.sh").toString());
        assertEquals(0, lax.code(), lax.toString());
        assertTrue(
                lax.out()
                        .contains("fresh-machine-check: SKIPPED: " + lib + "/libOpenCL.so exists and this user"
                                + " cannot hide it"),
                lax.toString());
        Result strict = bash(
                dir,
                bin,
                Map.of("EDGECL_FRESH_LIBDIRS", lib.toString(), "EDGECL_STRICT", "1"),
                tool("fresh-machine-check.sh").toString());
        assertEquals(1, strict.code(), strict.toString());
        assertTrue(
                strict.out()
                        .contains("cannot hide it (needs root and unshare -m); skipping the check is not"
                                + " allowed in strict mode (EDGECL_STRICT=1)"),
                strict.toString());
        // As root, unshare was tried (and refused); git and Maven never ran.
        List<String> ran = Files.exists(marker) ? Files.readAllLines(marker) : List.of();
        assertTrue(ran.stream().allMatch("unshare -m true"::equals), "only unshare was tried: " + ran);
    }

    private static Result judgeReports(Path dir, boolean strict, String... reports) throws Exception {
        Path rep = Files.createDirectories(dir.resolve("reports" + System.nanoTime()));
        for (int i = 0; i < reports.length; i++) {
            Files.writeString(
                    rep.resolve("io.edgecl.ops.T" + i + "Test.txt"),
                    "-------------------------------------------------------------------------------\n"
                            + "Test set: io.edgecl.ops.T" + i + "Test\n"
                            + "-------------------------------------------------------------------------------\n"
                            + reports[i] + ", Time elapsed: 0.5 s -- in io.edgecl.ops.T" + i + "Test\n");
        }
        return bash(
                dir,
                null,
                strict ? Map.of("EDGECL_STRICT", "1") : Map.of(),
                tool("fresh-machine-check.sh").toString(),
                "--judge-reports",
                rep.toString());
    }

    @Test
    void freshMachineCheckRequiresATestRunAndNoSkipWhenStrict(@TempDir Path dir) throws Exception {
        Result none = judgeReports(dir, false);
        assertEquals(1, none.code(), none.toString());
        assertTrue(none.out().contains("no test ran"), none.toString());
        Result allSkipped = judgeReports(dir, false, "Tests run: 2, Failures: 0, Errors: 0, Skipped: 2");
        assertEquals(1, allSkipped.code(), allSkipped.toString());
        Result ok = judgeReports(
                dir,
                true,
                "Tests run: 4, Failures: 0, Errors: 0, Skipped: 0",
                "Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("OpenCL tests: 7 run, 0 failed, 0 errors, 0 skipped"), ok.toString());
        String skip = "Tests run: 4, Failures: 0, Errors: 0, Skipped: 1";
        assertEquals(0, judgeReports(dir, false, skip).code());
        Result strict = judgeReports(dir, true, skip);
        assertEquals(1, strict.code(), strict.toString());
        assertTrue(strict.out().contains("a skip is not allowed in strict mode"), strict.toString());
    }

    // ---- tools/oclgrind-check.sh ----

    private static final String ATTENTION_SKIPS =
            "SKIPPED (device limit): PACKED attention (16-wide vectors) is not checked on the Oclgrind simulator\n"
                    + "SKIPPED (device limit): BLOCKED attention (16-wide vectors) is not checked on the Oclgrind simulator\n";

    private static Result judgeLog(Path dir, boolean strict, String log) throws Exception {
        Path f = Files.writeString(dir.resolve("mvn" + System.nanoTime() + ".log"), log);
        return bash(
                dir,
                null,
                strict ? Map.of("EDGECL_STRICT", "1") : Map.of(),
                tool("oclgrind-check.sh").toString(),
                "--judge-log",
                f.toString());
    }

    private static String mavenLog(String perClass, String total) {
        return "[INFO] Running io.edgecl.ops.ResidualAttentionOpsTest\n" + perClass
                + " -- in io.edgecl.ops.ResidualAttentionOpsTest\n[INFO] \n[INFO] Results:\n[INFO] \n" + total
                + "\n[INFO] \n[INFO] BUILD SUCCESS\n";
    }

    @Test
    void oclgrindCheckFailsWhenEveryTestWasSkipped(@TempDir Path dir) throws Exception {
        Result r = judgeLog(
                dir,
                false,
                ATTENTION_SKIPS
                        + mavenLog(
                                "[WARNING] Tests run: 2, Failures: 0, Errors: 0, Skipped: 2, Time elapsed: 0.2 s",
                                "[WARNING] Tests run: 2, Failures: 0, Errors: 0, Skipped: 2"));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("no test ran: all 2 tests were skipped"), r.toString());
    }

    @Test
    void oclgrindCheckFailsWhenNoTestRan(@TempDir Path dir) throws Exception {
        Result zero = judgeLog(dir, false, "[INFO] Tests run: 0, Failures: 0, Errors: 0, Skipped: 0\n");
        assertEquals(1, zero.code(), zero.toString());
        assertTrue(zero.out().contains("no test ran (0 tests)"), zero.toString());
        Result noSummary = judgeLog(dir, false, "[INFO] No tests to run.\n[INFO] BUILD SUCCESS\n");
        assertEquals(1, noSummary.code(), noSummary.toString());
    }

    @Test
    void oclgrindCheckAcceptsOnlyTheDocumentedAttentionSkipsWhenStrict(@TempDir Path dir) throws Exception {
        String documented = ATTENTION_SKIPS
                + mavenLog(
                        "[WARNING] Tests run: 5, Failures: 0, Errors: 0, Skipped: 2, Time elapsed: 0.2 s",
                        "[WARNING] Tests run: 5, Failures: 0, Errors: 0, Skipped: 2");
        Result ok = judgeLog(dir, true, documented);
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(
                ok.out().contains("5 tests, 0 failed, 0 errors, 2 skipped (2 of them the documented Oclgrind limit)"),
                ok.toString());
        // One skip more than the attention ones printed: something else was skipped.
        String other = ATTENTION_SKIPS
                + mavenLog(
                        "[WARNING] Tests run: 5, Failures: 0, Errors: 0, Skipped: 3, Time elapsed: 0.2 s",
                        "[WARNING] Tests run: 5, Failures: 0, Errors: 0, Skipped: 3");
        Result lax = judgeLog(dir, false, other);
        assertEquals(0, lax.code(), lax.toString());
        assertTrue(
                lax.out().contains("warning: 1 skipped tests are not the documented Oclgrind limit"), lax.toString());
        Result strict = judgeLog(dir, true, other);
        assertEquals(1, strict.code(), strict.toString());
        assertTrue(strict.out().contains("1 skipped tests are not the documented Oclgrind limit"), strict.toString());
        assertTrue(strict.out().contains("not allowed in strict mode (EDGECL_STRICT=1)"), strict.toString());
        Result failed = judgeLog(
                dir,
                false,
                mavenLog(
                        "[ERROR] Tests run: 5, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.2 s",
                        "[ERROR] Tests run: 5, Failures: 1, Errors: 0, Skipped: 0"));
        assertEquals(1, failed.code(), failed.toString());
    }

    @Test
    void oclgrindCheckJudgesSelftestsCountsTheSameWay(@TempDir Path dir) throws Exception {
        String skipKc = "SKIP kernel fp32          mhsa                             attention.variant=packed "
                + "mhsa_pack+mhsa_kc            the Oclgrind simulator loses track of 16-wide vector loads\n";
        String skipFp16 = "SKIP kernel fp16          *                                                         "
                + "                    the device has no half arithmetic (cl_khr_fp16)\n";
        Result ok = judgeLog(dir, true, skipKc + "selftest: PASS: 94 passed, 0 failed, 1 skipped in 54.0 s\n");
        assertEquals(0, ok.code(), ok.toString());
        Result strict =
                judgeLog(dir, true, skipKc + skipFp16 + "selftest: PASS: 94 passed, 0 failed, 2 skipped in 5 s\n");
        assertEquals(1, strict.code(), strict.toString());
        Result none = judgeLog(dir, false, skipKc + "selftest: PASS: 0 passed, 0 failed, 1 skipped in 1.0 s\n");
        assertEquals(1, none.code(), none.toString());
    }

    // ---- tools/gpu-bundle.sh: the bundle's run.sh ----

    /**
     * A stand-in bundle: the real run.sh; an edgecl that answers like the CLI; this JVM as the
     * runtime, with an edgecl.jar that names the compiled classes and Gson, for run.sh's JSON
     * reader (io.edgecl.cli.JsonFields); an ICD naming an existing file.
     */
    private static Path bundle(Path dir, boolean selftest, boolean golden) throws Exception {
        Path b = Files.createDirectories(dir.resolve("bundle"));
        Files.copy(tool("gpu-bundle/run.sh"), b.resolve("run.sh"));
        assertTrue(b.resolve("run.sh").toFile().setExecutable(true));
        Files.createSymbolicLink(
                Files.createDirectories(b.resolve("runtime/bin")).resolve("java"),
                Path.of(System.getProperty("java.home"), "bin", "java"));
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes()
                .put(Attributes.Name.CLASS_PATH, codeSource(JsonFields.class) + " " + codeSource(Gson.class));
        try (OutputStream o = Files.newOutputStream(b.resolve("edgecl.jar"))) {
            new JarOutputStream(o, mf).close();
        }
        Files.createDirectories(b.resolve("vendors"));
        Files.writeString(Files.createDirectories(b.resolve("lib")).resolve("libstandin.so"), "");
        Files.writeString(b.resolve("vendors/standin.icd"), b.resolve("lib/libstandin.so") + "\n");
        Files.writeString(
                b.resolve("env.sh"),
                "export OCL_ICD_VENDORS=\"${OCL_ICD_VENDORS:-"
                        + "$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)/vendors}\"\n");
        String json = "{\n  \"device\": \"Stand-in\",\n  \"wall_ms\": {\n    \"medianMs\": 1.5\n  },\n"
                + "  \"device_ms\": {\n    \"medianMs\": 1.0\n  },\n  \"images_per_s\": 600.0\n}";
        script(
                b.resolve("edgecl"),
                "#!/usr/bin/env bash\n"
                        + "case \"$1\" in\n"
                        + "  --help) echo 'Usage: edgecl COMMAND'; echo 'Commands:'; echo '  devices    list them';"
                        + (selftest ? " echo '  selftest   check the kernels';" : "") + " ;;\n"
                        + "  --version) echo 'edgecl stand-in' ;;\n"
                        + "  devices) echo 'platform 0: Stand-in'; echo 'binding: jocl, library: /stand-in/libOpenCL.so.1' ;;\n"
                        + "  selftest)\n"
                        + "    [ \"$2\" = --help ] && { echo '--precision --no-variants --no-models'; exit 0; }\n"
                        + "    if [ \"$2\" = --json ]; then printf '{\\n  \"failures\": 0,\\n  \"checks\": [\\n    {\\n"
                        + "      \"status\": \"pass\"\\n    }\\n  ]\\n}\\n'\n"
                        + "    else echo 'selftest: PASS: 3 passed, 0 failed, 0 skipped in 0.1 s'; fi ;;\n"
                        + "  bench) echo '" + json + "' ;;\n"
                        + "  profile) echo 'profile written' ;;\n"
                        + "  *) exit 2 ;;\n"
                        + "esac\n");
        if (golden)
            Files.writeString(Files.createDirectories(b.resolve("golden/case1")).resolve("case.json"), "{}");
        return b;
    }

    /** Where a class was loaded from, as a Class-Path URL (a folder's ends in /). */
    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toUri()
                .toString();
    }

    private static Result runBundle(Path dir, Path b) throws Exception {
        return bash(
                dir,
                null,
                Map.of(),
                b.resolve("run.sh").toString(),
                "--quick",
                "--logs",
                dir.resolve("logs").toString());
    }

    /** The packaging script and what it copies into the bundle parse, and its help names its commands. */
    @Test
    void bundleScriptsParse(@TempDir Path dir) throws Exception {
        for (String f : List.of("gpu-bundle.sh", "gpu-bundle/run.sh", "gpu-bundle/env.sh", "gpu-bundle/edgecl")) {
            Result r = bash(dir, null, Map.of(), "-n", tool(f).toString());
            assertEquals(0, r.code(), f + ": " + r);
        }
        Result help = bash(dir, null, Map.of(), tool("gpu-bundle.sh").toString(), "--help");
        assertEquals(0, help.code(), help.toString());
        assertTrue(
                help.out().contains("tools/gpu-bundle.sh build") && help.out().contains("tools/gpu-bundle.sh test"),
                help.toString());
    }

    @Test
    void bundleRunWithoutSelftestIsIncomplete(@TempDir Path dir) throws Exception {
        Result r = runBundle(dir, bundle(dir, false, true));
        assertEquals(5, r.code(), r.toString());
        assertTrue(
                r.out().contains("\nresult:            INCOMPLETE (did not run and pass: selftest, selftest golden)"),
                r.toString());
        assertFalse(r.out().contains("result:            PASS"), r.toString());
    }

    @Test
    void bundleRunWithoutGoldenStepIsIncomplete(@TempDir Path dir) throws Exception {
        Result r = runBundle(dir, bundle(dir, true, false));
        assertEquals(5, r.code(), r.toString());
        assertTrue(r.out().contains("\nselftest:          PASS"), r.toString());
        assertTrue(
                r.out().contains("\nresult:            INCOMPLETE (did not run and pass: selftest golden)"),
                r.toString());
    }

    @Test
    void bundleRunWithEveryStepPasses(@TempDir Path dir) throws Exception {
        Result r = runBundle(dir, bundle(dir, true, true));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("\nselftest golden:   PASS (1 cases)"), r.toString());
        // The summary's numbers, read from the steps' JSON.
        assertTrue(
                r.out().contains("\ndevice:            Stand-in  (OpenCL library /stand-in/libOpenCL.so.1)"),
                r.toString());
        assertTrue(r.out().contains("\nselftest:          PASS  (1 checks, 0 failed, "), r.toString());
        assertTrue(
                r.out().contains("\nlatency batch 1:   median 1.500 ms wall, 1.000 ms device  (--batch 1 "),
                r.toString());
        assertTrue(
                r.out().contains("\nimages/s batch 8: 600.0  (median 1.50 ms wall per forward; --batch 8 "),
                r.toString());
        assertTrue(r.out().contains("\nresult:            PASS\n"), r.toString());
    }
}
