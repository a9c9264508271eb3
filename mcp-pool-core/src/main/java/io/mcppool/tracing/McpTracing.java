package io.mcppool.tracing;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.config.Redaction;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * OpenTelemetry tracing for a pool: a {@link PoolEvents} listener that makes one CLIENT span per call
 * (tool call, list, read, get, ping), after the OpenTelemetry semantic conventions for MCP, and carries
 * the trace context to the server in the request's {@code params._meta}.
 *
 * <pre>{@code
 * McpPool pool = McpPool.builder().server(...)
 *         .eventListener(McpTracing.create(openTelemetry))   // synchronously: see below
 *         .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Parent:</b> the span started in {@code callStarted} takes {@link Context#current()} of the thread
 *       that made the call as its parent, so a span the caller has made current becomes the parent.</li>
 *   <li><b>Name:</b> {@code {mcp.method.name} {gen_ai.tool.name}} for tool calls ({@code tools/call search}),
 *       {@code {mcp.method.name}} otherwise.</li>
 *   <li><b>Attributes:</b> {@code mcp.method.name}; {@code gen_ai.tool.name} and
 *       {@code gen_ai.operation.name = execute_tool} for {@code tools/call}; {@code mcp_pool.server};
 *       once the endpoint is picked, {@code mcp_pool.endpoint} (secrets masked by {@link Redaction}) and,
 *       for a Streamable HTTP endpoint, {@code server.address}, {@code server.port},
 *       {@code network.transport = tcp}, {@code network.protocol.name = http}; for a stdio endpoint,
 *       {@code network.transport = pipe}.</li>
 *   <li><b>End:</b> a call that did not succeed gets {@code error.type} (the pool's {@link ErrorType} tag:
 *       {@code timeout}, {@code pool_exhausted}, ..., and {@code tool_error} for an {@code isError} result, as the
 *       conventions ask) and status {@link StatusCode#ERROR}.</li>
 *   <li><b>Events:</b> {@code mcp_pool.retry} for each retry (attempt, backoff, cause) and
 *       {@code mcp_pool.acquire} when waiting for a session slot took at least the threshold
 *       (1 ms by default) or failed.</li>
 *   <li><b>Propagation:</b> the configured propagators of the {@link OpenTelemetry} inject the new span's
 *       context ({@code traceparent}, {@code tracestate}, and {@code baggage} if configured) into the
 *       request's {@code _meta}, unprefixed, as the conventions say.</li>
 * </ul>
 *
 * <p><b>Register it synchronously</b> ({@code eventListener}, {@code addEventListener}), never with
 * {@code asyncEventListener}: it must read the caller's current context and add to {@code _meta} in
 * {@code callStarted}, before the request is sent. It does little work per hook (no I/O; span export is
 * the SDK's span processor's job, which should be a batch processor).
 *
 * <p>Uses the OpenTelemetry API only; the SDK (or an agent) is the application's choice.
 */
public final class McpTracing implements PoolEvents {
    /** The instrumentation scope name. */
    public static final String INSTRUMENTATION_NAME = "io.mcppool";

    /** The MCP method of the call ({@code tools/call}, {@code resources/read}, ...). */
    public static final AttributeKey<String> MCP_METHOD_NAME = AttributeKey.stringKey("mcp.method.name");
    /** The tool's name, on a tool call. */
    public static final AttributeKey<String> GEN_AI_TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    /** {@value #EXECUTE_TOOL} on a tool call, as the GenAI conventions name it. */
    public static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
    /** The failure's {@code ErrorType} tag, on a call that failed or whose tool reported an error. */
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    /** The HTTP server's host, on an HTTP endpoint. */
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    /** The HTTP server's port, on an HTTP endpoint. */
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    /** {@code pipe} for stdio, {@code tcp} for HTTP. */
    public static final AttributeKey<String> NETWORK_TRANSPORT = AttributeKey.stringKey("network.transport");
    /** {@code http} on an HTTP endpoint. */
    public static final AttributeKey<String> NETWORK_PROTOCOL_NAME = AttributeKey.stringKey("network.protocol.name");
    /** The JSON-RPC id of the request as sent (the last attempt's). */
    public static final AttributeKey<String> JSONRPC_REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    /** The session's {@code Mcp-Session-Id}, on an HTTP endpoint that gave one. */
    public static final AttributeKey<String> MCP_SESSION_ID = AttributeKey.stringKey("mcp.session.id");
    /** The pool's name for the server (the config key). */
    public static final AttributeKey<String> POOL_SERVER = AttributeKey.stringKey("mcp_pool.server");
    /** The endpoint the call went to, as the pool labels it, secrets masked. */
    public static final AttributeKey<String> POOL_ENDPOINT = AttributeKey.stringKey("mcp_pool.endpoint");
    /** On a retry event: the attempt about to be made (2 for the first retry). */
    public static final AttributeKey<Long> RETRY_ATTEMPT = AttributeKey.longKey("mcp_pool.retry.attempt");
    /** On a retry event: the backoff before it, in milliseconds. */
    public static final AttributeKey<Double> RETRY_BACKOFF_MS = AttributeKey.doubleKey("mcp_pool.retry.backoff_ms");
    /** On an acquire event: how long the call waited for a session slot, in milliseconds. */
    public static final AttributeKey<Double> ACQUIRE_WAIT_MS = AttributeKey.doubleKey("mcp_pool.acquire.wait_ms");
    /** On an acquire event: whether the wait ended with a slot. */
    public static final AttributeKey<Boolean> ACQUIRE_ACQUIRED = AttributeKey.booleanKey("mcp_pool.acquire.acquired");

    /** The GenAI operation name of a tool call. */
    public static final String EXECUTE_TOOL = "execute_tool";
    /** The span event added when a retry is scheduled. */
    public static final String RETRY_EVENT = "mcp_pool.retry";
    /** The span event added when a call waited for a slot at least the builder's threshold, or got none. */
    public static final String ACQUIRE_EVENT = "mcp_pool.acquire";

    private static final String TOOLS_CALL = "tools/call";
    private static final int ENDPOINT_CACHE_MAX = 1024;
    /** The key of the call's span in {@link CallContext#attach}. */
    private static final Object SPAN = new Object() {
        @Override
        public String toString() {
            return "McpTracing.span";
        }
    };
    private static final TextMapSetter<CallContext> META = (call, key, value) -> {
        if (call != null) {
            call.putMeta(key, value);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final UnaryOperator<String> endpointLabel;
    private final long acquireEventThresholdNanos;
    /** What the endpoint labels say about the endpoints, computed once per label. */
    private final ConcurrentHashMap<String, EndpointInfo> endpoints = new ConcurrentHashMap<>();
    /** Labels of endpoints for which a stdio process was started. */
    private final ConcurrentHashMap<String, Boolean> stdioEndpoints = new ConcurrentHashMap<>();

    private McpTracing(Builder b) {
        this.tracer = b.tracer;
        this.propagator = b.propagator;
        this.endpointLabel = b.endpointLabel;
        this.acquireEventThresholdNanos = b.acquireEventThreshold.toNanos();
    }

    /** Spans from {@code openTelemetry}'s tracer provider, context injected with its propagators. */
    public static McpTracing create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /** Spans from {@code tracer}; {@code propagator} (W3C trace context, usually) fills {@code _meta}. */
    public static McpTracing create(Tracer tracer, TextMapPropagator propagator) {
        return builder(tracer, propagator).build();
    }

    /** A builder for spans from {@code openTelemetry}'s tracer provider, with its propagators. */
    public static Builder builder(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        TracerBuilder tb = openTelemetry.tracerBuilder(INSTRUMENTATION_NAME);
        String version = McpTracing.class.getPackage().getImplementationVersion();
        if (version != null) {
            tb.setInstrumentationVersion(version);
        }
        return new Builder(tb.build(), openTelemetry.getPropagators().getTextMapPropagator());
    }

    /** A builder for spans from {@code tracer}, context injected with {@code propagator}. */
    public static Builder builder(Tracer tracer, TextMapPropagator propagator) {
        return new Builder(Objects.requireNonNull(tracer, "tracer"), Objects.requireNonNull(propagator, "propagator"));
    }

    /** The span of a call in progress, or null: for code that wants to add attributes of its own. */
    public static Span span(CallContext call) {
        return call.attachment(SPAN);
    }

    // ------------------------------------------------------------------ hooks

    @Override
    public void callStarted(CallContext call) {
        Context parent = Context.current();
        String method = call.method();
        String tool = call.toolOrNull();
        boolean toolCall = tool != null && TOOLS_CALL.equals(method);
        SpanBuilder builder = tracer.spanBuilder(toolCall ? method + " " + tool : method)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent)
                .setAttribute(MCP_METHOD_NAME, method)
                .setAttribute(POOL_SERVER, call.server());
        if (tool != null) {
            builder.setAttribute(GEN_AI_TOOL_NAME, tool);
        }
        if (toolCall) {
            builder.setAttribute(GEN_AI_OPERATION_NAME, EXECUTE_TOOL);
        }
        Span span = builder.startSpan();
        call.attach(SPAN, span);
        String endpoint = call.endpoint();
        if (endpoint != null) {
            describeEndpoint(span, endpoint);
        }
        propagator.inject(parent.with(span), call, META);
    }

    @Override
    public void endpointPicked(CallContext call, String endpoint) {
        Span span = call.attachment(SPAN);
        if (span != null && endpoint != null && span.isRecording()) {
            describeEndpoint(span, endpoint);
        }
    }

    @Override
    public void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
        if (acquired && waitedNanos < acquireEventThresholdNanos) {
            return;
        }
        Span span = call.attachment(SPAN);
        if (span != null && span.isRecording()) {
            span.addEvent(ACQUIRE_EVENT, Attributes.of(ACQUIRE_WAIT_MS, waitedNanos / 1e6, ACQUIRE_ACQUIRED, acquired));
        }
    }

    @Override
    public void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
        Span span = call.attachment(SPAN);
        if (span != null && span.isRecording()) {
            span.addEvent(RETRY_EVENT, Attributes.of(RETRY_ATTEMPT, (long) nextAttempt,
                    RETRY_BACKOFF_MS, backoff.toNanos() / 1e6,
                    ERROR_TYPE, cause == null ? "_OTHER" : cause.tagValue()));
        }
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        Span span = call.attachment(SPAN);
        if (span == null) {
            return; // the call started before this listener was added
        }
        call.attach(SPAN, null);
        String endpoint = call.endpoint();
        // Known only once a process was started for the endpoint, which may be after the call began.
        if (endpoint != null && span.isRecording() && stdioEndpoints.containsKey(endpoint)) {
            span.setAttribute(NETWORK_TRANSPORT, "pipe");
        }
        if (span.isRecording()) {
            if (call.requestId() >= 0) {
                span.setAttribute(JSONRPC_REQUEST_ID, Long.toString(call.requestId()));
            }
            if (call.sessionId() != null) {
                span.setAttribute(MCP_SESSION_ID, call.sessionId());
            }
        }
        if (outcome != CallOutcome.SUCCESS) {
            String type = errorType != null ? errorType.tagValue()
                    : outcome == CallOutcome.TOOL_ERROR ? ErrorType.TOOL_ERROR.tagValue() : "_OTHER";
            span.setAttribute(ERROR_TYPE, type);
            span.setStatus(StatusCode.ERROR, type);
        }
        span.end();
    }

    @Override
    public void processStarted(String server, String endpoint, long pid) {
        if (endpoint != null && stdioEndpoints.size() < ENDPOINT_CACHE_MAX) {
            stdioEndpoints.put(endpoint, Boolean.TRUE);
        }
    }

    // ------------------------------------------------------------------ endpoints

    private void describeEndpoint(Span span, String endpoint) {
        EndpointInfo info = endpoints.get(endpoint);
        if (info == null) {
            info = EndpointInfo.of(endpoint, endpointLabel);
            if (endpoints.size() < ENDPOINT_CACHE_MAX) {
                endpoints.putIfAbsent(endpoint, info);
            }
        }
        span.setAttribute(POOL_ENDPOINT, info.label());
        if (info.address() != null) {
            span.setAttribute(SERVER_ADDRESS, info.address());
            if (info.port() > 0) {
                span.setAttribute(SERVER_PORT, (long) info.port());
            }
            span.setAttribute(NETWORK_TRANSPORT, "tcp");
            span.setAttribute(NETWORK_PROTOCOL_NAME, "http");
        }
    }

    /** The label to show, and for an HTTP endpoint its host and port. */
    record EndpointInfo(String label, String address, int port) {
        static EndpointInfo of(String endpoint, UnaryOperator<String> labeler) {
            String label = labeler.apply(endpoint);
            String lower = endpoint.regionMatches(true, 0, "http", 0, 4) ? endpoint.toLowerCase(java.util.Locale.ROOT) : "";
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                try {
                    URI uri = URI.create(endpoint);
                    if (uri.getHost() != null) {
                        int port = uri.getPort() > 0 ? uri.getPort() : lower.startsWith("https") ? 443 : 80;
                        return new EndpointInfo(label, uri.getHost(), port);
                    }
                } catch (IllegalArgumentException e) {
                    // not a URI after all: a label only
                }
            }
            return new EndpointInfo(label, null, 0);
        }
    }

    @Override
    public String toString() {
        return "McpTracing";
    }

    /** Builds an {@link McpTracing}. */
    public static final class Builder {
        private final Tracer tracer;
        private final TextMapPropagator propagator;
        private UnaryOperator<String> endpointLabel = Redaction::endpoint;
        private Duration acquireEventThreshold = Duration.ofMillis(1);

        private Builder(Tracer tracer, TextMapPropagator propagator) {
            this.tracer = tracer;
            this.propagator = propagator;
        }

        /** How {@code mcp_pool.endpoint} shows an endpoint label; {@link Redaction#endpoint} by default. */
        public Builder endpointLabel(UnaryOperator<String> label) {
            endpointLabel = Objects.requireNonNull(label, "label");
            return this;
        }

        /**
         * An {@code mcp_pool.acquire} event is added when the wait for a session slot took at least this
         * long, or ended without a slot. 1 ms by default; {@link Duration#ZERO} records every acquire.
         */
        public Builder acquireEventThreshold(Duration threshold) {
            acquireEventThreshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /** The listener; add it to a pool ({@code McpPool.builder().eventListener(...)}). */
        public McpTracing build() {
            return new McpTracing(this);
        }
    }
}
