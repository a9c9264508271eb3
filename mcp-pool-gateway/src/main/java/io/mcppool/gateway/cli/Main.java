package io.mcppool.gateway.cli;

import io.mcppool.config.InvalidConfigException;
import io.mcppool.call.McpPoolException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;

/**
 * The {@code mcp-pool} executable: {@code java -jar mcp-pool.jar COMMAND ...}.
 *
 * <p>stdout carries only the command's output; errors ({@code mcp-pool: <message>}) and logs go to
 * stderr. Exit codes: see {@link ExitCodes}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Charset charset = stdoutCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, charset), true);
        int code = execute(out, err, args);
        out.flush();
        err.flush();
        // Every pool was closed by its command; exiting here also ends any thread a library left behind.
        System.exit(code);
    }

    /** Runs one command line with the given streams and returns its exit code. Does not exit the JVM. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine(out, err);
        try {
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command tree, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        McpPoolCommand root = new McpPoolCommand();
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        exitCodeHelp(cmd);
        cmd.setExecutionStrategy(parseResult -> {
            Logging.configure(root.verbose);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            PrintWriter e = failed.getErr();
            e.println("mcp-pool: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, e);
            e.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, failed, parseResult) -> report(root, ex, failed.getErr()));
        return cmd;
    }

    /** Prints a failure as one line (a bad config: one line per problem) and returns its exit code. */
    static int report(McpPoolCommand root, Exception ex, PrintWriter err) {
        Throwable e = ex;
        if (e instanceof CommandLine.ParameterException pe) {
            err.println("mcp-pool: " + pe.getMessage());
            err.println("Try '" + pe.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        }
        if (e instanceof InvalidConfigException ice) {
            err.println("mcp-pool: invalid configuration: " + Text.plural(ice.problems().size(), "problem", "problems"));
            for (String problem : ice.problems()) {
                err.println("  " + Text.oneLine(problem));
            }
        } else if (e instanceof McpPoolException mpe) {
            err.println("mcp-pool: " + Text.oneLine(root.describe(mpe)));
        } else {
            err.println("mcp-pool: unexpected " + e.getClass().getSimpleName() + ": " + Text.oneLine(root.shorten(e.getMessage())));
        }
        if (root.verbose) {
            e.printStackTrace(err);
        } else if (!(e instanceof McpPoolException)) {
            err.println("mcp-pool: run with -v for the stack trace");
        }
        return ExitCodes.of(e);
    }

    private static void exitCodeHelp(CommandLine cmd) {
        cmd.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.HELP);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            exitCodeHelp(sub);
        }
    }

    private static Charset stdoutCharset() {
        String enc = System.getProperty("stdout.encoding");
        try {
            return enc == null ? Charset.defaultCharset() : Charset.forName(enc);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
