package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Content;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Tool;
import io.mcppool.protocol.ToolAnnotations;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The testkit's own tools. One handler object dispatches on the tool name rather than one lambda
 * per tool: a spawned stdio server should not pay for bootstrapping a dozen lambdas at start-up.
 */
final class BuiltinTools implements ToolHandler {
    static final String ECHO = "echo";
    static final String ADD = "add";
    static final String SLEEP = "sleep";
    static final String FAIL = "fail";
    static final String CRASH = "crash";
    static final String COUNTER = "counter";
    static final String COUNTER_GET = "counter_get";
    static final String RECORD = "record";
    static final String GARBAGE = "garbage";
    static final String HUGE = "huge";
    static final String STATS = "stats";
    static final String ROOTS = "roots";
    static final String PING_CLIENT = "ping_client";
    static final String NOTIFY_TOOLS_CHANGED = "notify_tools_changed";
    static final String LOG = "log";

    /** How long {@code roots} and {@code ping_client} wait for the client's answer. */
    static final long CLIENT_ANSWER_TIMEOUT_MS = 10_000;
    static final int MAX_HUGE_BYTES = 100_000_000;
    /** Enough for a flood of several hundred MB: the saturation suite checks that a client's log of it stays bounded. */
    static final int MAX_GARBAGE_LINES = 10_000_000;

    private static final BuiltinTools HANDLER = new BuiltinTools();

    // Hints: read-only, side-effect free and closed-world unless stated; crash has none (the spec's
    // defaults, destructive and not idempotent, fit a tool that kills the server).
    private static final ToolAnnotations READ_ONLY = new ToolAnnotations(null, true, false, true, false);
    private static final ToolAnnotations READ_ONLY_NOT_IDEMPOTENT = new ToolAnnotations(null, true, false, false, false);
    private static final ToolAnnotations WRITES = new ToolAnnotations(null, false, false, false, false);

    private BuiltinTools() {
    }

    static List<ToolRegistry.Entry> entries() {
        List<ToolRegistry.Entry> list = new ArrayList<>();
        list.add(entry(ECHO, "Returns the message unchanged as text. Cheap: use it for load.",
                schema().string("message", "Text to return", true), READ_ONLY, true));
        ObjectNode sumSchema = schema().number("sum", "a + b", true).node;
        list.add(new ToolRegistry.Entry(new Tool(ADD, null, "Adds two numbers; the sum as text and as structuredContent.",
                schema().number("a", "First addend", true).number("b", "Second addend", true).node, sumSchema,
                READ_ONLY, null), HANDLER, true));
        list.add(entry(SLEEP, "Waits ms milliseconds. With a progressToken it reports progress in 'steps' steps."
                        + " Stops early when cancelled.",
                schema().integer("ms", "How long to wait", true, 0, 3_600_000)
                        .integer("steps", "Progress notifications to send (default 5)", false, 1, 10_000),
                READ_ONLY, false));
        list.add(entry(FAIL, "Always fails: a result with isError true carrying the message.",
                schema().string("message", "The error text", false), READ_ONLY, true));
        list.add(entry(CRASH, "Ends the server at once without answering (stdio: the process exits).",
                schema().integer("exitCode", "Process exit code (default 1)", false, 0, 255), null, true));
        list.add(entry(COUNTER, "A counter per MCP session: increment adds one and returns the new count; get returns it.",
                schema().stringEnum("action", "What to do", true, "increment", "get"), WRITES, true));
        list.add(entry(COUNTER_GET, "Reads this session's counter.", schema(), READ_ONLY, true));
        list.add(entry(RECORD, "Adds one to the server-wide counter of 'key' and returns the new count."
                        + " Not idempotent: the count shows how often a call really ran.",
                schema().string("key", "Which counter", true), WRITES, true));
        list.add(entry(GARBAGE, "Writes non-JSON lines to stdout (stdio only), then returns ok.",
                schema().integer("lines", "How many lines (default 3)", false, 0, MAX_GARBAGE_LINES), READ_ONLY, true));
        list.add(entry(HUGE, "Returns a text result of about 'bytes' bytes.",
                schema().integer("bytes", "Result size", true, 0, MAX_HUGE_BYTES), READ_ONLY, false));
        list.add(entry(STATS, "What the server saw: executions per tool and per request id, records, cancelled"
                        + " request ids, sessions, pid, the last call's _meta and HTTP headers.",
                schema(), READ_ONLY_NOT_IDEMPOTENT, true));
        list.add(entry(ROOTS, "Asks the client for roots/list and returns its answer as JSON text.",
                schema(), READ_ONLY_NOT_IDEMPOTENT, false));
        list.add(entry(PING_CLIENT, "Sends ping to the client and reports how long the answer took.",
                schema(), READ_ONLY_NOT_IDEMPOTENT, false));
        list.add(entry(NOTIFY_TOOLS_CHANGED, "Adds a tool extra_<n> and sends notifications/tools/list_changed.",
                schema(), WRITES, true));
        list.add(entry(LOG, "Sends notifications/message with the message, then returns 'logged'.",
                schema().string("message", "What to log", true)
                        .stringEnum("level", "Log level (default info)", false, "debug", "info", "notice", "warning", "error",
                                "critical", "alert", "emergency"),
                READ_ONLY_NOT_IDEMPOTENT, true));
        return list;
    }

    /** {@code tool_0001}...: trivial tools that make the list long for pagination tests. */
    static ToolRegistry.Entry numbered(int n) {
        String digits = Integer.toString(n);
        String name = "tool_" + "0000".substring(Math.min(4, digits.length())) + digits;
        return entry(name, "Filler tool " + n + " for pagination tests; returns its own name.", schema(), READ_ONLY, true);
    }

    /** A tool added at run time by {@code notify_tools_changed}; returns its own name. */
    static ToolRegistry.Entry extra(String name) {
        return entry(name, "Added at run time by notify_tools_changed; returns its own name.", schema(), READ_ONLY, true);
    }

    private static ToolRegistry.Entry entry(String name, String description, Schema schema, ToolAnnotations hints,
                                            boolean inline) {
        return new ToolRegistry.Entry(new Tool(name, null, description, schema.node, null, hints, null), HANDLER, inline);
    }

    @Override
    public CallToolResult call(ToolContext context) throws Exception {
        ServerSession.Call call = (ServerSession.Call) context;
        ServerSession session = call.session();
        JsonNode args = context.arguments();
        String name = context.toolName();
        switch (name) {
            case ECHO:
                return CallToolResult.text(args.get("message").asText());
            case ADD:
                return add(args);
            case SLEEP:
                return sleep(context, args.get("ms").asLong(), args.path("steps").asInt(5));
            case FAIL:
                return CallToolResult.error(args.path("message").asText("fail: this tool always fails"));
            case CRASH:
                session.transport().crash(args.path("exitCode").asInt(1));
                return null; // no answer: the server is gone
            case COUNTER:
                long count = "increment".equals(args.get("action").asText())
                        ? session.counter().incrementAndGet() : session.counter().get();
                return CallToolResult.text(Long.toString(count));
            case COUNTER_GET:
                return CallToolResult.text(Long.toString(session.counter().get()));
            case RECORD: {
                String key = args.get("key").asText();
                long n = session.server().incrementRecord(key);
                ObjectNode structured = Json.object();
                structured.put("key", key);
                structured.put("count", n);
                return new CallToolResult(List.of(Content.text(Long.toString(n))), structured, null, null);
            }
            case GARBAGE:
                session.transport().writeGarbage(args.path("lines").asInt(3));
                return CallToolResult.text("ok");
            case HUGE:
                return CallToolResult.text(huge(args.get("bytes").asInt()));
            case STATS:
                return stats(call);
            case ROOTS:
                return askClient(context, McpMethods.ROOTS_LIST);
            case PING_CLIENT:
                return askClient(context, McpMethods.PING);
            case NOTIFY_TOOLS_CHANGED:
                return CallToolResult.text("added " + session.server().addExtraTool(session, context.requestId()));
            case LOG:
                context.log(args.path("level").asText("info"), args.get("message").asText());
                return CallToolResult.text("logged");
            default:
                // the filler and run-time tools: their whole job is to exist
                return CallToolResult.text(name);
        }
    }

    private static CallToolResult add(JsonNode args) {
        BigDecimal sum = args.get("a").decimalValue().add(args.get("b").decimalValue()).stripTrailingZeros();
        ObjectNode structured = Json.object();
        String text;
        try {
            long whole = sum.longValueExact(); // 2 + 3 is "5", not "5.0"
            structured.put("sum", whole);
            text = Long.toString(whole);
        } catch (ArithmeticException notWhole) {
            structured.put("sum", sum.doubleValue());
            text = sum.toPlainString(); // 0.1 + 0.2 is "0.3": decimal arithmetic, as a person would expect
        }
        return new CallToolResult(List.of(Content.text(text)), structured, null, null);
    }

    private static CallToolResult sleep(ToolContext context, long ms, int steps) throws InterruptedException {
        boolean reportProgress = context.meta().hasNonNull("progressToken");
        if (!reportProgress) {
            Thread.sleep(ms);
        } else {
            // even slices; the last one takes the remainder so the total is exactly ms
            long slice = ms / steps;
            for (int i = 1; i <= steps; i++) {
                Thread.sleep(i == steps ? ms - slice * (steps - 1) : slice);
                context.progress(i, (double) steps, "step " + i + " of " + steps);
            }
        }
        return CallToolResult.text("slept " + ms + "ms");
    }

    private static String huge(int bytes) {
        // printable and compressible-looking but not a single repeated char, so nothing between the
        // server and the test can shrink it to nothing
        String line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-mcp-pool-testkit-huge-result\n";
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() + line.length() <= bytes) {
            sb.append(line);
        }
        sb.append(line, 0, bytes - sb.length());
        return sb.toString();
    }

    private static CallToolResult stats(ServerSession.Call call) {
        ServerSession session = call.session();
        ObjectNode s = session.server().stats();
        s.put("sessionId", session.id());
        s.put("protocolVersion", session.protocolVersion());
        s.set("clientCapabilities", session.clientCapabilities());
        s.put("clientInitialized", session.clientSentInitialized());
        ObjectNode thisCall = s.putObject("thisCall");
        thisCall.set("meta", call.meta().isMissingNode() ? Json.object() : call.meta());
        ObjectNode headers = thisCall.putObject("headers");
        if (call.headers() != null) {
            for (Map.Entry<String, String> h : call.headers().entrySet()) {
                headers.put(h.getKey(), h.getValue());
            }
        }
        return new CallToolResult(List.of(Content.text(Json.write(s))), s, null, null);
    }

    private static CallToolResult askClient(ToolContext context, String method) throws InterruptedException {
        long start = System.nanoTime();
        try {
            JsonNode result = context.sendRequest(method, null).get(CLIENT_ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (McpMethods.PING.equals(method)) {
                return CallToolResult.text("pong after " + (System.nanoTime() - start) / 1_000_000 + "ms");
            }
            JsonNode roots = result.path("roots");
            return new CallToolResult(List.of(Content.text(Json.write(roots.isMissingNode() ? result : roots))),
                    null, null, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ClientErrorException ce) {
                ObjectNode err = Json.object();
                err.put("code", ce.error().code());
                err.put("message", ce.error().message());
                return CallToolResult.error(method + " failed: " + Json.write(err));
            }
            return CallToolResult.error(method + " failed: " + cause);
        } catch (TimeoutException e) {
            return CallToolResult.error("the client did not answer " + method + " within " + CLIENT_ANSWER_TIMEOUT_MS + "ms");
        }
    }

    // ---- schema building: just enough for the tools above ----

    private static Schema schema() {
        return new Schema();
    }

    private static final class Schema {
        final ObjectNode node;

        Schema() {
            node = Json.object();
            node.put("type", "object");
            node.putObject("properties");
        }

        private ObjectNode property(String name, String type, String description, boolean required) {
            ObjectNode p = ((ObjectNode) node.get("properties")).putObject(name);
            p.put("type", type);
            p.put("description", description);
            if (required) {
                ArrayNode req = node.has("required") ? (ArrayNode) node.get("required") : node.putArray("required");
                req.add(name);
            }
            return p;
        }

        Schema string(String name, String description, boolean required) {
            property(name, "string", description, required);
            return this;
        }

        Schema stringEnum(String name, String description, boolean required, String... values) {
            ArrayNode e = property(name, "string", description, required).putArray("enum");
            for (String v : values) {
                e.add(v);
            }
            return this;
        }

        Schema number(String name, String description, boolean required) {
            property(name, "number", description, required);
            return this;
        }

        Schema integer(String name, String description, boolean required, long min, long max) {
            ObjectNode p = property(name, "integer", description, required);
            p.put("minimum", min);
            p.put("maximum", max);
            return this;
        }
    }
}
