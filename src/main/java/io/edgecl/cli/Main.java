package io.edgecl.cli;

import io.edgecl.EdgeClException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code edgecl} command line. */
@Command(
        name = "edgecl",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Efficient vision networks on any OpenCL device.",
        subcommands = {
            DevicesCommand.class,
            ModelsCommand.class,
            PredictCommand.class,
            ClassifyCommand.class,
            SegmentCommand.class,
            DetectCommand.class,
            EvalCommand.class,
            BenchCommand.class,
            ProfileCommand.class,
            TuneCommand.class,
            ExportOnnxCommand.class,
            ServeCommand.class,
            InspectCommand.class,
            SelftestCommand.class,
            AutoComplete.GenerateCompletion.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this rather than main). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(Main::handle);
        cl.getSubcommands()
                .get("generate-completion")
                .getCommandSpec()
                .usageMessage()
                .hidden(false);
        return cl;
    }

    /** A user-facing error is one line and exit code 2; anything else is a bug and keeps its trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        EdgeClException ece = find(e);
        if (ece != null) {
            err.println("edgecl: error: " + ece.getMessage());
            err.flush();
            return ece.exitCode();
        }
        err.println("edgecl: internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    private static EdgeClException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof EdgeClException ece) return ece;
        }
        return null;
    }

    /** Version from the jar's build properties. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"edgecl " + version(), "Java " + System.getProperty("java.version")};
        }

        public static String version() {
            try (InputStream in = Main.class.getResourceAsStream("/io/edgecl/version.properties")) {
                Properties p = new Properties();
                if (in != null) p.load(in);
                return p.getProperty("version", "dev");
            } catch (java.io.IOException e) {
                return "dev";
            }
        }
    }
}
