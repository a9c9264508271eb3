package io.mcppool.gateway.cli;

import io.mcppool.McpPool;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Tool;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", sortOptions = false,
        header = "Show the pool at work on the testkit server.",
        description = "On the config (default: the built-in one, whose 'testkit' server runs from this jar, so"
                + " nothing else needs installing): lists the servers and the testkit's tools, calls 'echo' and"
                + " 'add' and prints each result with its latency, then prints the pool's state.")
final class DemoCommand extends BaseCommand {
    @Option(names = "--server", paramLabel = "SERVER", defaultValue = "testkit",
            description = "The server to demonstrate; it needs the testkit's echo and add tools. Default: ${DEFAULT-VALUE}.")
    String server;

    @Override
    public Integer call() {
        PrintWriter out = out();
        McpPoolConfig config = root.loadConfig();
        String configArg = root.config == null ? "" : " --config " + root.config;

        heading(out, "servers" + configArg);
        Text.table(out, Text.serverRows(config.servers()), false);

        // Only the demonstrated server is started; its first session opens in the background right away.
        try (McpPoolCommand.OpenPool open = McpPoolCommand.OpenPool.open(McpPoolCommand.only(config, server))) {
            McpPool pool = open.pool();

            heading(out, "tools " + server + configArg);
            long start = System.nanoTime();
            List<Tool> tools = pool.listTools(server);
            long listed = System.nanoTime() - start;
            Text.table(out, ToolsCommand.rows(tools));
            out.println("(" + Text.plural(tools.size(), "tool", "tools") + " in " + millis(listed)
                    + ", including starting the server)");

            Map<String, Object> echoArgs = new LinkedHashMap<>();
            echoArgs.put("message", "hello from mcp-pool");
            call(out, pool, "echo", echoArgs, "--arg message=\"hello from mcp-pool\"", configArg);

            Map<String, Object> addArgs = new LinkedHashMap<>();
            addArgs.put("a", 2);
            addArgs.put("b", 3);
            call(out, pool, "add", addArgs, "--arg a=2 --arg b=3", configArg);

            out.println();
            out.println("pool:");
            snapshot(out, pool.snapshot());
        }
        return ExitCodes.OK;
    }

    private void call(PrintWriter out, McpPool pool, String tool, Map<String, Object> args, String shown,
                      String configArg) {
        heading(out, "call " + server + " " + tool + " " + shown + configArg);
        long start = System.nanoTime();
        CallToolResult result = pool.callTool(server, tool, args);
        long took = System.nanoTime() - start;
        CallCommand.print(out, result);
        out.println("(" + tool + (result.failed() ? " reported an error" : "") + " in " + millis(took) + ")");
    }

    private void snapshot(PrintWriter out, PoolSnapshot snapshot) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("SERVER", "ENDPOINT", "MODE", "SESSIONS OPEN", "IN-FLIGHT", "SESSIONS OPENED", "CLOSED"));
        for (PoolSnapshot.ServerSnapshot s : snapshot.servers()) {
            for (EndpointSnapshot e : s.endpoints()) {
                rows.add(List.of(s.name(), root.shortEndpoint(s.name(), e.endpoint()), e.mode(), Integer.toString(e.sessions()),
                        Integer.toString(e.inFlight()), Long.toString(e.sessionsOpened()),
                        Long.toString(e.sessionsClosed())));
            }
        }
        Text.table(out, rows, false);
    }

    private boolean firstHeading = true;

    private void heading(PrintWriter out, String command) {
        if (!firstHeading) {
            out.println();
        }
        firstHeading = false;
        out.println("$ mcp-pool " + command);
    }

    static String millis(long nanos) {
        double ms = nanos / 1_000_000.0;
        return ms < 10 ? String.format(java.util.Locale.ROOT, "%.1f ms", ms) : Math.round(ms) + " ms";
    }
}
