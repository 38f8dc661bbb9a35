package io.edgecl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every command that takes a model lists each model option once, and refuses -m with --model-config. */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"predict", "classify", "eval", "bench", "profile", "tune", "export-onnx", "serve"})
    void modelOptionsAreListedOnce(String command) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute(command, "--help"));
        String help = out.toString();
        assertEquals(1, count(help, "(?m)^\\s+-m, --model=NAME"), help);
        assertEquals(1, count(help, "(?m)^\\s+--model-config=FILE.json"), help);
        assertEquals(1, count(help, "(?m)^\\s+-w, --weights=FILE"), help);
    }

    /** --kernel's help names every kernel family with the values its parser takes (the help text is written out). */
    @org.junit.jupiter.api.Test
    void kernelHelpNamesEveryFamilyAndItsValues() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("classify", "--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        io.edgecl.api.SessionOptions.kernelFamilies().forEach((family, usage) -> {
            java.util.regex.Matcher m =
                    Pattern.compile("\\b" + Pattern.quote(family) + "=([^ ,]+)").matcher(help);
            org.junit.jupiter.api.Assertions.assertTrue(m.find(), family + " missing from --kernel's help: " + help);
            for (String v : m.group(1).split("\\|")) {
                org.junit.jupiter.api.Assertions.assertTrue(
                        usage.contains(v.replaceAll("\\[.*", "").replaceAll("\\.$", "")),
                        family + "=" + v + " in the help but the family takes " + usage);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"classify img.png", "bench --random-weights", "predict --tensors in.safetensors --out o"})
    void modelAndConfigTogetherIsOneLineError(String commandLine) {
        String[] words = commandLine.split(" ");
        String[] args = new String[words.length + 4];
        args[0] = words[0];
        System.arraycopy(new String[] {"-m", "edgenext_xx_small", "--model-config", "spec.json"}, 0, args, 1, 4);
        System.arraycopy(words, 1, args, 5, words.length - 1);
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        String e = err.toString();
        assertEquals(2, rc, e);
        assertEquals(
                "edgecl: error: give either -m edgenext_xx_small or --model-config spec.json, not both", e.strip());
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
