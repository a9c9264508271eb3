package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.RequestId;
import io.mcppool.protocol.Tool;
import io.mcppool.protocol.ToolAnnotations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One testkit MCP server: its options, its tools and the state every session shares (what was
 * executed, what was cancelled, the {@code record} counters). Sessions come from the runners:
 * {@link TestkitServer} (one stdio process is one session), {@link TestkitHttpServer} (one session
 * per {@code Mcp-Session-Id}) and {@link InProcessServer} (one session per transport). Per-session
 * state (the {@code counter} tool, the negotiated version) lives in the session.
 *
 * <pre>{@code
 * TestServer server = TestServer.builder()
 *         .options(TestkitOptions.builder().toolsPageSize(10).build())
 *         .tool("upper", schema, ctx -> CallToolResult.text(ctx.arguments().path("s").asText().toUpperCase()))
 *         .build();
 * }</pre>
 */
public final class TestServer {
    static final String NAME = "mcp-pool-testkit";
    static final String VERSION = "0.1.0";
    private static final String RESOURCES_UPDATED = "notifications/resources/updated";

    private final TestkitOptions options;
    private final ToolRegistry tools;
    private final Catalog catalog;

    // Shared state, read by the stats tool. Every structure here is concurrent: tool calls of all
    // sessions update it from their own threads.
    private final Map<String, AtomicLong> executions = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> records = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicInteger>> executionsByRequest = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<JsonNode> cancelled = new ConcurrentLinkedQueue<>();
    private final Set<ServerSession> openSessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sessionsInitialized = new AtomicInteger();
    private final AtomicInteger sessionIds = new AtomicInteger();
    private volatile JsonNode lastMeta = Json.object();
    private volatile Map<String, String> lastHeaders = Map.of();

    private TestServer(TestkitOptions options, boolean builtins, List<ToolRegistry.Entry> userTools) {
        this.options = options;
        // the conformance fixtures replace the built-in tools and catalog: the suite's server sees only its own
        this.catalog = options.conformance() ? ConformanceFixtures.INSTANCE : DefaultCatalog.INSTANCE;
        List<ToolRegistry.Entry> all = new ArrayList<>();
        if (builtins) {
            List<ToolRegistry.Entry> standard = options.conformance() ? ConformanceFixtures.INSTANCE.tools()
                    : BuiltinTools.entries();
            for (ToolRegistry.Entry builtin : standard) {
                if (!containsName(userTools, builtin.tool().name())) {
                    all.add(builtin);
                }
            }
        }
        all.addAll(userTools);
        for (int i = 1; i <= options.extraTools(); i++) {
            all.add(BuiltinTools.numbered(i));
        }
        this.tools = new ToolRegistry(all);
    }

    /** A server with the built-in tools and default options. */
    public static TestServer create() {
        return builder().build();
    }

    public static TestServer create(TestkitOptions options) {
        return builder().options(options).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public TestkitOptions options() {
        return options;
    }

    /**
     * What the server saw, as the {@code stats} tool reports it (without the per-call fields):
     * {@code executions}, {@code executionsByRequest}, {@code records}, {@code cancelled},
     * {@code sessions}, {@code openSessions}, {@code pid}, {@code lastMeta}, {@code lastHeaders}.
     */
    public ObjectNode stats() {
        ObjectNode s = Json.object();
        ObjectNode ex = s.putObject("executions");
        for (Map.Entry<String, AtomicLong> e : new TreeMap<>(executions).entrySet()) {
            ex.put(e.getKey(), e.getValue().get());
        }
        ObjectNode byRequest = s.putObject("executionsByRequest");
        for (Map.Entry<String, Map<String, AtomicInteger>> session : executionsByRequest.entrySet()) {
            ObjectNode ids = byRequest.putObject(session.getKey());
            for (Map.Entry<String, AtomicInteger> e : session.getValue().entrySet()) {
                ids.put(e.getKey(), e.getValue().get());
            }
        }
        ObjectNode rec = s.putObject("records");
        for (Map.Entry<String, AtomicLong> e : new TreeMap<>(records).entrySet()) {
            rec.put(e.getKey(), e.getValue().get());
        }
        ArrayNode can = s.putArray("cancelled");
        for (JsonNode id : cancelled) {
            can.add(id);
        }
        s.put("sessions", sessionsInitialized.get());
        s.put("openSessions", openSessions.size());
        s.put("pid", ProcessHandle.current().pid());
        if (options.label() != null) {
            s.put("label", options.label());
        }
        s.set("lastMeta", lastMeta.deepCopy());
        ObjectNode headers = s.putObject("lastHeaders");
        for (Map.Entry<String, String> e : lastHeaders.entrySet()) {
            headers.put(e.getKey(), e.getValue());
        }
        return s;
    }

    /** The tools as {@code tools/list} currently lists them, in order. */
    public List<Tool> tools() {
        List<Tool> list = new ArrayList<>();
        for (ToolRegistry.Entry e : tools.all()) {
            list.add(e.tool());
        }
        return list;
    }

    /**
     * Tells every session subscribed to {@code uri} ({@code resources/subscribe}, served with
     * {@link TestkitOptions#conformance()}) that the resource changed: {@code notifications/resources/updated}.
     * Over HTTP it travels on the session's GET stream, and is lost when the session has none open.
     *
     * @return how many sessions were told
     */
    public int resourceUpdated(String uri) {
        Objects.requireNonNull(uri, "uri");
        ObjectNode params = Json.object();
        params.put("uri", uri);
        JsonRpcNotification updated = new JsonRpcNotification(RESOURCES_UPDATED, params);
        int told = 0;
        for (ServerSession s : openSessions) {
            if (s.isSubscribed(uri)) {
                s.sendNotification(updated, null);
                told++;
            }
        }
        return told;
    }

    // ---- package-private: used by sessions and runners ----

    ToolRegistry registry() {
        return tools;
    }

    Catalog catalog() {
        return catalog;
    }

    /** Opens a session whose messages leave through {@code transport}. */
    ServerSession openSession(String idPrefix, ServerTransport transport) {
        ServerSession session = new ServerSession(this, idPrefix + "-" + sessionIds.incrementAndGet(), transport);
        openSessions.add(session);
        return session;
    }

    ServerSession openSessionWithId(String id, ServerTransport transport) {
        ServerSession session = new ServerSession(this, id, transport);
        openSessions.add(session);
        return session;
    }

    void sessionInitialized() {
        sessionsInitialized.incrementAndGet();
    }

    void sessionClosed(ServerSession session) {
        openSessions.remove(session);
    }

    /** Counts one execution of a tool; the stats tool itself does not replace lastMeta/lastHeaders. */
    void recordExecution(String tool, String sessionId, RequestId id, JsonNode meta, Map<String, String> headers) {
        executions.computeIfAbsent(tool, k -> new AtomicLong()).incrementAndGet();
        executionsByRequest.computeIfAbsent(sessionId, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(id.toString(), k -> new AtomicInteger()).incrementAndGet();
        if (!BuiltinTools.STATS.equals(tool)) {
            lastMeta = meta == null || meta.isMissingNode() ? Json.object() : meta;
            lastHeaders = headers == null ? Map.of() : headers;
        }
    }

    void recordCancelled(JsonNode requestId) {
        cancelled.add(requestId);
    }

    long incrementRecord(String key) {
        long n = records.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        journal(key);
        return n;
    }

    /**
     * Appends {@code key} and a newline to the {@code --journal} file, if there is one: one {@code write} on a
     * file opened for appending, so lines from several processes never interleave, and the line is with the
     * operating system before the call answers (it survives the process being killed right after).
     */
    private void journal(String key) {
        if (options.journal() == null) {
            return;
        }
        try {
            Files.write(options.journal(), (key + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the journal " + options.journal(), e);
        }
    }

    /**
     * Adds a tool {@code extra_<n>} and tells every open session the list changed. The calling
     * session is told on the call's own stream (so a test sees the notification before the result);
     * the others get an unrelated notification (over HTTP: their GET stream, if they opened one).
     */
    String addExtraTool(ServerSession caller, RequestId callId) {
        String name = tools.addExtra();
        JsonRpcNotification changed = new JsonRpcNotification(McpMethods.TOOLS_LIST_CHANGED, null);
        for (ServerSession s : openSessions) {
            if (s.isInitialized()) {
                s.sendNotification(changed, s == caller ? callId : null);
            }
        }
        return name;
    }

    private static boolean containsName(List<ToolRegistry.Entry> entries, String name) {
        for (ToolRegistry.Entry e : entries) {
            if (e.tool().name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Defines a server: options, whether the built-in tools are there, and your own tools. */
    public static final class Builder {
        private TestkitOptions options = TestkitOptions.defaults();
        private boolean builtins = true;
        private final Map<String, ToolRegistry.Entry> userTools = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder options(TestkitOptions value) {
            options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** Whether to include the built-in tools (echo, sleep, ...); on by default. */
        public Builder builtinTools(boolean value) {
            builtins = value;
            return this;
        }

        /**
         * Adds a tool (replacing a built-in one of the same name). The tool runs on its own virtual
         * thread; see {@link ToolHandler}.
         */
        public Builder tool(Tool tool, ToolHandler handler) {
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(handler, "handler");
            if (tool.name() == null || tool.name().isBlank()) {
                throw new IllegalArgumentException("a tool needs a name");
            }
            JsonNode schema = tool.inputSchema();
            if (schema == null || !schema.isObject() || !"object".equals(schema.path("type").asText())) {
                throw new IllegalArgumentException("tool " + tool.name()
                        + ": inputSchema must be a JSON Schema object with \"type\": \"object\"");
            }
            if (userTools.containsKey(tool.name())) {
                throw new IllegalArgumentException("tool " + tool.name() + " is defined twice");
            }
            userTools.put(tool.name(), new ToolRegistry.Entry(tool, handler, false));
            return this;
        }

        public Builder tool(String name, String description, JsonNode inputSchema, ToolHandler handler) {
            return tool(new Tool(name, description, inputSchema), handler);
        }

        public Builder tool(String name, JsonNode inputSchema, ToolHandler handler) {
            return tool(new Tool(name, null, inputSchema), handler);
        }

        /** Adds a tool with annotations (for tests of retry and caching decisions). */
        public Builder tool(String name, JsonNode inputSchema, ToolAnnotations annotations, ToolHandler handler) {
            return tool(new Tool(name, null, null, inputSchema, null, annotations, null), handler);
        }

        public TestServer build() {
            return new TestServer(options, builtins, List.copyOf(userTools.values()));
        }
    }
}
