package io.mcppool.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.CallOptions;
import io.mcppool.protocol.CallToolResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "call", sortOptions = false,
        header = "Call a tool and print its result.",
        description = {"Prints the text blocks as they are, other blocks as one line each"
                + " ([image image/png, 1234 bytes]), then structuredContent as JSON if there is any.",
                "",
                "Arguments: --json gives the whole arguments object; each --arg KEY=VALUE sets one key and wins"
                        + " over the same key in --json. A VALUE that is a complete JSON value is sent as that value"
                        + " (5, 2.5, true, null, \"text\", [1,2], {\"a\":1}); anything else is sent as the string"
                        + " typed. So --arg n=5 sends the number 5 and --arg n='\"5\"' the string \"5\".",
                "",
                "A result with isError is printed like any other, and the exit code is 1."},
        footer = {"", "Examples:",
                "  mcp-pool call testkit echo --arg message='hello'",
                "  mcp-pool call testkit add --arg a=2 --arg b=3",
                "  mcp-pool call testkit add --json '{\"a\": 2, \"b\": 3}' --raw"})
final class CallCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "SERVER", description = "The server, as named in the config.")
    String server;

    @Parameters(index = "1", paramLabel = "TOOL", description = "The tool's name.")
    String tool;

    @Option(names = {"-a", "--arg"}, paramLabel = "KEY=VALUE",
            description = "One argument; repeat for more. VALUE is JSON if it parses as JSON, else a string.")
    List<String> args;

    @Option(names = "--json", paramLabel = "OBJECT",
            description = "The arguments as one JSON object, or @FILE to read it from a file.")
    String json;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", converter = Durations.class,
            description = "The call's deadline, e.g. 500ms, 30s, 2m. Default: the server's callTimeout.")
    Duration timeout;

    @Option(names = "--raw", description = "Print the whole result as JSON, as the server sent it.")
    boolean raw;

    @Override
    public Integer call() {
        ObjectNode arguments;
        try {
            arguments = Arguments.build(json, args);
        } catch (Arguments.BadArgument e) {
            throw usage(e.getMessage());
        }
        CallOptions options = timeout == null ? CallOptions.DEFAULTS : CallOptions.builder().timeout(timeout).build();
        CallToolResult result;
        try (McpPoolCommand.OpenPool open = root.open(server)) {
            result = open.pool().callTool(server, tool, Text.map(arguments), options);
        }
        if (raw) {
            out().println(Text.pretty(result));
        } else {
            print(out(), result);
        }
        if (result.failed()) {
            out().flush();
            err().println("mcp-pool: server '" + server + "', tool '" + tool + "': the tool reported an error (isError)");
            return ExitCodes.TOOL_ERROR;
        }
        return ExitCodes.OK;
    }

    /** The content blocks, then structuredContent as pretty JSON when the result has it. */
    static void print(PrintWriter out, CallToolResult result) {
        Text.content(out, result.content());
        JsonNode structured = result.structuredContent();
        if (structured != null && !structured.isNull() && !structured.isMissingNode()) {
            out.println(Text.pretty(structured));
        }
    }
}
