package io.mcppool.gateway.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.Gateway;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.ProtocolVersion;
import io.mcppool.testkit.InProcessServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway the request fuzz test talks to: {@link Gateway} (its Jetty server, request checks, sessions and
 * dispatcher, as {@code serve} runs them) on 127.0.0.1, in front of an in-process testkit server reached twice,
 * as {@code t} (multiplexed) and {@code s} (sticky, so tool calls are answered on an SSE stream). Auth is on with
 * two API keys: {@code fuzz} may use everything, {@code narrow} only {@code t__echo}. One instance serves a whole
 * run; each input gets its own connection.
 */
final class FuzzGateway implements AutoCloseable {
    static final String KEY = "fuzz-key-0123456789abcdef0123456789abcdef";
    static final String KEY_NARROW = "narrow-key-0123456789abcdef0123456789abcd";
    /** Every upstream call ends by this, answered or not: the bound on one input's time, with room. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private static final String CONFIG = """
            servers: {}
            gateway:
              host: 127.0.0.1
              port: 0
              watchConfig: false
              # far below the default 4MiB: the fuzzer reaches the limit with inputs of a few KiB, which run fastest
              maxBodySize: 4KiB
              allowedOrigins: ["https://app.example.com"]
              # the fuzzer sends wrong keys from 127.0.0.1 by the thousand: throttling them would refuse every
              # later input, and the canary client, with 429 before anything else is looked at
              maxAuthFailures: 0
              auth:
                apiKeys:
                  - { name: fuzz, key: "${FUZZ_KEY}", allow: ["*"] }
                  - { name: narrow, key: "${FUZZ_KEY_NARROW}", allow: ["t__echo"] }
            """;

    private final InProcessServer upstream;
    private final Gateway gateway;
    private final InetSocketAddress address;
    private final Map<String, String> sessions = new LinkedHashMap<>();
    /** The {@code narrow} client's session for {@link #assertStillServing()}. */
    private String canarySession;

    private FuzzGateway() {
        upstream = InProcessServer.builder().builtinTools(false)
                .tool("echo", schema("message", "string"), ctx -> CallToolResult.text(ctx.arguments().path("message").asText()))
                .tool("add", schema("a", "number"), ctx -> CallToolResult.text(
                        Double.toString(ctx.arguments().path("a").asDouble() + ctx.arguments().path("b").asDouble())))
                .tool("fail", schema("message", "string"), ctx -> CallToolResult.error(ctx.arguments().path("message").asText()))
                .tool("steps", schema("n", "integer"), ctx -> {
                    int n = Math.min(3, Math.max(0, ctx.arguments().path("n").asInt()));
                    for (int i = 1; i <= n; i++) {
                        ctx.progress(i, (double) n, "step " + i);
                        ctx.log("info", "step " + i);
                    }
                    return CallToolResult.text("done");
                })
                .build();
        McpPoolConfig config = ConfigLoader.parse(CONFIG, ConfigLoader.Format.YAML, "fuzz-gateway.yaml",
                Map.of("FUZZ_KEY", KEY, "FUZZ_KEY_NARROW", KEY_NARROW));
        EndpointConfig inProcess = new EndpointConfig.Custom("in-process testkit", upstream.transportFactory());
        PoolSettings small = PoolSettings.builder().minSessions(1).maxSessions(2).build();
        config = config.withServers(Map.of(
                "t", ServerConfig.builder("t", inProcess).callTimeout(CALL_TIMEOUT).pool(small).build(),
                "s", ServerConfig.builder("s", inProcess).callTimeout(CALL_TIMEOUT)
                        .pool(PoolSettings.builder().mode(PoolMode.STICKY).minSessions(0).maxSessions(64).build()).build()));
        gateway = Gateway.start(config, Optional.empty());
        address = new InetSocketAddress("127.0.0.1", gateway.port());
    }

    private static JsonNode schema(String property, String type) {
        var schema = Json.object().put("type", "object");
        schema.putObject("properties").putObject(property).put("type", type);
        return schema;
    }

    private static FuzzGateway instance;

    /** The gateway of this run, started on first use: the first input pays for the start, the others share it. */
    static synchronized FuzzGateway get() {
        if (instance == null) {
            instance = new FuzzGateway();
        }
        return instance;
    }

    /** Closes the gateway of this run, if one was started. */
    static synchronized void closeInstance() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
    }

    String path() {
        return gateway.mcpUri().getPath();
    }

    InetSocketAddress address() {
        return address;
    }

    /** What each placeholder of an input stands for now; sessions are opened as the request needs them. */
    Map<String, String> values(RawRequest request) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("{HOST}", "127.0.0.1:" + address.getPort());
        values.put("{ORIGIN}", "http://127.0.0.1:" + address.getPort());
        values.put("{KEY_NARROW}", KEY_NARROW);
        values.put("{KEY}", KEY);
        if (request.mentions("{SESSION_2025_03_26}")) {
            values.put("{SESSION_2025_03_26}", session(ProtocolVersion.V2025_03_26));
        }
        if (request.mentions("{SESSION}")) {
            values.put("{SESSION}", session(ProtocolVersion.V2025_11_25));
        }
        return values;
    }

    /** Forgets the sessions an input may have ended (a DELETE naming one), so the next input opens a new one. */
    void forgetEnded(RawRequest request) {
        if (request.method().equals("DELETE")) {
            sessions.clear();
        }
    }

    /**
     * Whether the gateway still serves another client after an input: the {@code narrow} client calls
     * {@code t__echo} on a session of its own, which no input can name. An input that wedges a lock, a pool or
     * the upstream for everyone shows here, not only in its own answer. A session the gateway dropped meanwhile
     * is opened again once.
     */
    void assertStillServing() throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (canarySession == null) {
                canarySession = open(ProtocolVersion.V2025_11_25, KEY_NARROW);
            }
            RawHttp.Response r = exchange("POST", post(canarySession, ProtocolVersion.V2025_11_25, KEY_NARROW,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t__echo\","
                            + "\"arguments\":{\"message\":\"still serving\"}}}"));
            if (r.status() == 404 && attempt == 0) {
                canarySession = null;
                continue;
            }
            if (r.status() != 200 || !r.text().contains("still serving")) {
                throw new AssertionError("after this input the gateway no longer serves another client: tools/call"
                        + " t__echo answered " + r.status() + " " + r.text());
            }
            return;
        }
    }

    /** Ends a session an input opened (an {@code initialize} answered with a session id), as a client would. */
    void end(String sessionId) throws IOException {
        exchange("DELETE", ("DELETE " + path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort()
                + "\r\nAuthorization: Bearer " + KEY + "\r\nMcp-Session-Id: " + sessionId
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private String session(String version) throws IOException {
        String id = sessions.get(version);
        if (id == null) {
            id = open(version, KEY);
            sessions.put(version, id);
        }
        return id;
    }

    /** A new session of the client with API key {@code key}, initialized. */
    private String open(String version, String key) throws IOException {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"" + version
                + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}";
        RawHttp.Response r = exchange("POST", post(null, version, key, init));
        String id = r.header("mcp-session-id");
        if (r.status() != 200 || id == null) {
            throw new IllegalStateException("the fuzz gateway did not open a session: " + r.status() + " " + r.text());
        }
        exchange("POST", post(id, version, key, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        return id;
    }

    private byte[] post(String sessionId, String version, String key, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path() + " HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort()
                + "\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json"
                + "\r\nAccept: application/json, text/event-stream"
                + (sessionId == null ? "" : "\r\nMcp-Session-Id: " + sessionId + "\r\nMCP-Protocol-Version: " + version)
                + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
        byte[] head8 = head.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head8.length + bytes.length];
        System.arraycopy(head8, 0, all, 0, head8.length);
        System.arraycopy(bytes, 0, all, head8.length, bytes.length);
        return all;
    }

    /** One exchange with the gateway, allowed past Jazzer's detector of unexpected connections. */
    RawHttp.Response exchange(String method, byte[] request) throws IOException {
        // the detector names the host as it resolves it (127.0.0.1 or localhost): the port says it is ours
        try (SilentCloseable ignored = BugDetectors.allowNetworkConnections((host, port) -> port == address.getPort())) {
            return RawHttp.exchange(address, method, request, Duration.ofSeconds(20));
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
