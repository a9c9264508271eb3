package io.mcppool.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.HealthSettings;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.RetrySettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.Tool;
import io.mcppool.protocol.ServerRequestHandler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The client side of the official conformance suite ({@code conformance client --command
 * "scripts/conformance-client.sh" --scenario S}): the suite starts a scenario server, appends its URL to the
 * command and names the scenario in {@code MCP_CONFORMANCE_SCENARIO}. This command plays the scenario through
 * the library's public API only, a pool with one Streamable HTTP server at that URL, so what the suite checks
 * is what a user of {@link McpPool} gets.
 */
@Command(name = "conformance-client", hidden = true, sortOptions = false,
        header = "Play one client scenario of the MCP conformance suite against URL (for the suite's client mode).",
        description = {"The scenario comes from --scenario or the environment variable MCP_CONFORMANCE_SCENARIO"
                + " (set by the suite). Known: " + ConformanceClientCommand.KNOWN + ".",
                "",
                "Exit code 0 when the scenario ran to its end; the suite judges the checks itself."})
final class ConformanceClientCommand extends BaseCommand {
    static final String KNOWN = "initialize, tools_call, sse-retry, elicitation-sep1034-client-defaults";
    private static final String SERVER = "conformance";
    /** Each scenario's server is discarded after the run; the suite's own timeout is 30 s. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    @Parameters(index = "0", paramLabel = "URL", description = "The scenario server's URL (the suite appends it).")
    URI url;

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "The scenario. Default: the environment variable MCP_CONFORMANCE_SCENARIO.")
    String scenario;

    @Override
    public Integer call() {
        String name = scenario != null ? scenario : System.getenv("MCP_CONFORMANCE_SCENARIO");
        if (name == null || name.isBlank()) {
            throw usage("no scenario: give --scenario or set MCP_CONFORMANCE_SCENARIO");
        }
        if (!List.of(KNOWN.split(", ")).contains(name)) {
            throw usage("scenario '" + name + "' is not played by this client; known: " + KNOWN);
        }
        boolean sticky = name.equals("elicitation-sep1034-client-defaults");
        try (McpPool pool = McpPool.builder().server(server(url, sticky)).shutdownGrace(Duration.ofSeconds(1)).build()) {
            switch (name) {
                case "initialize" -> listTools(pool);
                case "tools_call" -> call(pool, CallOptions.DEFAULTS, "add_numbers", Map.of("a", 5, "b", 3));
                case "sse-retry" -> call(pool, CallOptions.DEFAULTS, "test_reconnection", Map.of());
                default -> {
                    // Server-to-client requests reach a handler only through a sticky server's affinity key.
                    String key = "conformance-client";
                    pool.bindAffinity(SERVER, key, new AcceptWithDefaults());
                    call(pool, CallOptions.builder().affinityKey(key).build(), "test_client_elicitation_defaults", Map.of());
                }
            }
        }
        return ExitCodes.OK;
    }

    private static ServerConfig server(URI url, boolean sticky) {
        // One session (sticky: the pool's own for listing, and the affinity key's), no retries and no health
        // checks: the scenario server sees only what the scenario asks for.
        PoolSettings pool = sticky ? PoolSettings.builder().mode(PoolMode.STICKY).minSessions(0).maxSessions(2).build()
                : PoolSettings.builder().minSessions(1).maxSessions(1).build();
        return ServerConfig.builder(SERVER, new EndpointConfig.Http(url))
                .pool(pool)
                .retry(RetrySettings.NONE)
                .health(HealthSettings.DISABLED)
                .callTimeout(CALL_TIMEOUT)
                .connectTimeout(CALL_TIMEOUT)
                .build();
    }

    private void listTools(McpPool pool) {
        out().println("tools: " + pool.listTools(SERVER).stream().map(Tool::name).toList());
    }

    private void call(McpPool pool, CallOptions options, String tool, Map<String, ?> arguments) {
        listTools(pool);
        CallToolResult result = pool.callTool(SERVER, tool, arguments, options);
        out().println(tool + ": " + Text.oneLine(result.text()));
    }

    /** Accepts every elicitation with the defaults its schema gives (SEP-1034): what a user who just confirms sends. */
    private static final class AcceptWithDefaults implements ServerRequestHandler {
        @Override
        public CompletableFuture<JsonNode> handle(String method, JsonNode params) {
            if (!method.equals("elicitation/create")) {
                return CompletableFuture.failedFuture(new UnsupportedOperationException("not supported: " + method));
            }
            ObjectNode answer = Json.object();
            answer.put("action", "accept");
            ObjectNode content = answer.putObject("content");
            params.path("requestedSchema").path("properties").properties().forEach(p -> {
                JsonNode d = p.getValue().get("default");
                if (d != null) {
                    content.set(p.getKey(), d.deepCopy());
                }
            });
            return CompletableFuture.completedFuture(answer);
        }

        @Override
        public ObjectNode capabilities() {
            ObjectNode c = Json.object();
            c.putObject("elicitation");
            return c;
        }
    }
}
