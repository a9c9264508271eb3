package io.mcppool.logging;

import io.mcppool.config.Redaction;
import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.SessionCloseReason;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * Structured logs of the pool through SLF4J: a {@link PoolEvents} listener that writes one line per
 * session and process lifecycle change, and one line per call, with the call's or session's facts in
 * the MDC so a JSON encoder can index them.
 *
 * <pre>{@code
 * McpPool pool = McpPool.builder().server(...).eventListener(LoggingEvents.create()).build();
 * }</pre>
 *
 * <h2>What is logged, at which level</h2>
 * <table>
 *   <caption>lines</caption>
 *   <tr><th>logger</th><th>event</th><th>level</th></tr>
 *   <tr><td>{@code mcp.pool.sessions}</td><td>session opened, session closed (with reason), process started
 *       (pid), process stopped by the pool (exit code), process restarted</td><td>INFO</td></tr>
 *   <tr><td>{@code mcp.pool.sessions}</td><td>opening a session failed, process exited on its own</td><td>WARN</td></tr>
 *   <tr><td>{@code mcp.pool.calls}</td><td>a call ended: success, tool error ({@code isError}), cancelled;
 *       a retry was scheduled</td><td>DEBUG</td></tr>
 *   <tr><td>{@code mcp.pool.calls}</td><td>a call failed for any other reason (timeout, pool exhausted,
 *       transport, protocol, ...)</td><td>WARN (see {@link Builder#failureLevel})</td></tr>
 *   <tr><td>{@code mcp.pool.calls}</td><td>result cache hit or miss</td><td>TRACE</td></tr>
 *   <tr><td>{@code mcp.pool.state}</td><td>breaker or health changed, config reloaded</td><td>INFO;
 *       WARN when a breaker opens or an endpoint becomes unhealthy</td></tr>
 * </table>
 * A call logs exactly one line, at DEBUG or at the failure level, never both.
 *
 * <h2>MDC</h2>
 * {@value #SERVER}, {@value #ENDPOINT}, {@value #EVENT} on every line; calls add {@value #METHOD},
 * {@value #TOOL}, {@value #OUTCOME}, {@value #ERROR_TYPE}, {@value #DURATION_MS}, and {@value #TRACE_ID} /
 * {@value #SPAN_ID} when a tracing listener put a {@code traceparent} in the call's {@code _meta};
 * processes add {@value #PID}. A call's line and its retry lines carry {@value #REQUEST_ID} (the JSON-RPC id
 * of its last attempt, unique within a session) and, on Streamable HTTP, {@value #SESSION_ID}. The MDC entries are set only around each line and the thread's own MDC is
 * restored after it, since hooks run on the caller's thread.
 *
 * <h2>Secrets</h2>
 * This listener never logs a configuration, headers or environment variables. Endpoint labels and
 * failure messages go through {@link Redaction} first (URL user info and query strings, token-like
 * flag values are masked).
 *
 * <h2>Cost</h2>
 * A hook whose level is disabled returns after one level check. It can be registered synchronously;
 * with a slow appender (a network one without a queue), register it with
 * {@code McpPool.builder().asyncEventListener(...)} instead.
 */
public final class LoggingEvents implements PoolEvents {
    /** MDC key: the pool's name for the server (the config key). */
    public static final String SERVER = "server";
    /** MDC key: the endpoint, as the pool labels it, secrets masked. */
    public static final String ENDPOINT = "endpoint";
    /** MDC key: the MCP method of the call. */
    public static final String METHOD = "method";
    /** MDC key: the tool's name, on a tool call. */
    public static final String TOOL = "tool";
    /** The JSON-RPC id of the call's (last) request. */
    public static final String REQUEST_ID = "request_id";
    /** The server's {@code Mcp-Session-Id} (Streamable HTTP only). */
    public static final String SESSION_ID = "session_id";
    /** MDC key: {@code success}, {@code tool_error} or {@code failure}. */
    public static final String OUTCOME = "outcome";
    /** MDC key: the failure's {@code ErrorType} tag. */
    public static final String ERROR_TYPE = "error_type";
    /** MDC key: how long the call took, in milliseconds. */
    public static final String DURATION_MS = "duration_ms";
    /** MDC key: the trace id of the {@code traceparent} a tracing listener put in the call's {@code _meta}. */
    public static final String TRACE_ID = "trace_id";
    /** MDC key: the span id of that {@code traceparent}. */
    public static final String SPAN_ID = "span_id";
    /** MDC key: a stdio server's process id. */
    public static final String PID = "pid";
    /** What happened: {@code call}, {@code retry}, {@code session_opened}, {@code process_exited}, ... */
    public static final String EVENT = "event";

    /** The loggers' names start with this unless the builder says otherwise. */
    public static final String DEFAULT_LOGGER_PREFIX = "mcp.pool";

    private final Logger sessions;
    private final Logger calls;
    private final Logger state;
    private final Level failureLevel;
    private final String mdcPrefix;
    private final UnaryOperator<String> endpointLabel;

    private LoggingEvents(Builder b) {
        this.sessions = LoggerFactory.getLogger(b.loggerPrefix + ".sessions");
        this.calls = LoggerFactory.getLogger(b.loggerPrefix + ".calls");
        this.state = LoggerFactory.getLogger(b.loggerPrefix + ".state");
        this.failureLevel = b.failureLevel;
        this.mdcPrefix = b.mdcPrefix;
        this.endpointLabel = b.endpointLabel;
    }

    /** Loggers {@code mcp.pool.sessions}, {@code mcp.pool.calls}, {@code mcp.pool.state}; failures at WARN. */
    public static LoggingEvents create() {
        return builder().build();
    }

    /** A builder with the defaults of {@link #create()}. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ calls

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        Level level = outcome == CallOutcome.FAILURE && errorType != ErrorType.CANCELLED ? failureLevel : Level.DEBUG;
        if (!calls.isEnabledForLevel(level)) {
            return;
        }
        String endpoint = safeEndpoint(call.endpoint());
        String tool = call.toolOrNull();
        double ms = Math.round(durationNanos / 100_000.0) / 10.0;
        try (Mdc mdc = new Mdc(12)) {
            mdc.put(EVENT, "call");
            mdc.put(SERVER, call.server());
            mdc.put(ENDPOINT, endpoint);
            mdc.put(METHOD, call.method());
            mdc.put(TOOL, tool);
            mdc.put(OUTCOME, outcome.tagValue());
            mdc.put(ERROR_TYPE, errorType == null ? null : errorType.tagValue());
            mdc.put(DURATION_MS, Double.toString(ms));
            requestIds(mdc, call);
            traceIds(mdc, call);
            calls.atLevel(level).log("{}{} on server '{}'{}: {}{} in {} ms", call.method(), tool == null ? "" : " " + tool,
                    call.server(), endpoint == null ? "" : " (" + endpoint + ")", outcome.tagValue(),
                    errorType == null || outcome == CallOutcome.TOOL_ERROR ? "" : " (" + errorType.tagValue() + ")", ms);
        }
    }

    @Override
    public void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
        if (!calls.isDebugEnabled()) {
            return;
        }
        String endpoint = safeEndpoint(call.endpoint());
        String tool = call.toolOrNull();
        try (Mdc mdc = new Mdc(10)) {
            mdc.put(EVENT, "retry");
            mdc.put(SERVER, call.server());
            mdc.put(ENDPOINT, endpoint);
            mdc.put(METHOD, call.method());
            mdc.put(TOOL, tool);
            mdc.put(ERROR_TYPE, cause == null ? null : cause.tagValue());
            requestIds(mdc, call);
            traceIds(mdc, call);
            calls.debug("{}{} on server '{}': attempt {} in {} ms after {}", call.method(),
                    tool == null ? "" : " " + tool, call.server(), nextAttempt, backoff.toMillis(),
                    cause == null ? "a failure" : cause.tagValue());
        }
    }

    @Override
    public void cacheHit(String server, String tool) {
        cache(server, tool, "cache_hit");
    }

    @Override
    public void cacheMiss(String server, String tool) {
        cache(server, tool, "cache_miss");
    }

    private void cache(String server, String tool, String event) {
        if (!calls.isTraceEnabled()) {
            return;
        }
        try (Mdc mdc = new Mdc(3)) {
            mdc.put(EVENT, event);
            mdc.put(SERVER, server);
            mdc.put(TOOL, tool);
            calls.trace("{} on server '{}': result cache {}", tool, server, event.equals("cache_hit") ? "hit" : "miss");
        }
    }

    // ------------------------------------------------------------------ sessions and processes

    @Override
    public void sessionOpened(String server, String endpoint, String protocolVersion) {
        if (!sessions.isInfoEnabled()) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        Mdc mdc = sessionMdc("session_opened", server, safe);
        try {
            sessions.info("server '{}' ({}): session opened, protocol {}", server, safe, protocolVersion);
        } finally {
            mdc.close();
        }
    }

    @Override
    public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
        if (!sessions.isInfoEnabled()) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        Mdc mdc = sessionMdc("session_closed", server, safe);
        try {
            sessions.info("server '{}' ({}): session closed: {}", server, safe, reason.tagValue());
        } finally {
            mdc.close();
        }
    }

    @Override
    public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
        if (!sessions.isWarnEnabled()) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        Mdc mdc = sessionMdc("session_open_failed", server, safe);
        try {
            // The message only, masked: a stack trace would print the unmasked message again.
            sessions.warn("server '{}' ({}): opening a session failed: {}", server, safe, describe(cause));
        } finally {
            mdc.close();
        }
    }

    @Override
    public void processStarted(String server, String endpoint, long pid) {
        if (!sessions.isInfoEnabled()) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        try (Mdc mdc = sessionMdc("process_started", server, safe)) {
            mdc.put(PID, Long.toString(pid));
            sessions.info("server '{}' ({}): process {} started", server, safe, pid);
        }
    }

    @Override
    public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
        Level level = expected ? Level.INFO : Level.WARN;
        if (!sessions.isEnabledForLevel(level)) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        String code = exitCode == -1 ? "unknown" : Integer.toString(exitCode);
        try (Mdc mdc = sessionMdc("process_exited", server, safe)) {
            mdc.put(PID, Long.toString(pid));
            sessions.atLevel(level).log("server '{}' ({}): process {} exited with code {}{}", server, safe, pid, code,
                    expected ? " (stopped by the pool)" : " on its own");
        }
    }

    @Override
    public void processRestarted(String server, String endpoint, long pid, int restarts) {
        if (!sessions.isInfoEnabled()) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        try (Mdc mdc = sessionMdc("process_restarted", server, safe)) {
            mdc.put(PID, Long.toString(pid));
            sessions.info("server '{}' ({}): process restarted as {} (restart {})", server, safe, pid, restarts);
        }
    }

    // ------------------------------------------------------------------ state

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        Level level = to == BreakerState.OPEN ? Level.WARN : Level.INFO;
        if (!state.isEnabledForLevel(level)) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        Mdc mdc = sessionMdc("breaker_changed", server, safe);
        try {
            state.atLevel(level).log("server '{}' ({}): circuit breaker {} -> {}", server, safe, from.tagValue(),
                    to.tagValue());
        } finally {
            mdc.close();
        }
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        Level level = to == HealthStatus.UNHEALTHY ? Level.WARN : Level.INFO;
        if (!state.isEnabledForLevel(level)) {
            return;
        }
        String safe = safeEndpoint(endpoint);
        Mdc mdc = sessionMdc("health_changed", server, safe);
        try {
            state.atLevel(level).log("server '{}' ({}): health {} -> {}{}", server, safe, from.tagValue(), to.tagValue(),
                    reason == null || reason.isEmpty() ? "" : ": " + Redaction.text(reason));
        } finally {
            mdc.close();
        }
    }

    @Override
    public void configReloaded(List<String> added, List<String> removed, List<String> changed) {
        if (!state.isInfoEnabled()) {
            return;
        }
        try (Mdc mdc = new Mdc(1)) {
            mdc.put(EVENT, "config_reloaded");
            // Server names only: a server's config holds headers and environment values.
            state.info("config reloaded: added {}, removed {}, changed {}", added, removed, changed);
        }
    }

    // ------------------------------------------------------------------ helpers

    private String safeEndpoint(String endpoint) {
        return endpoint == null ? null : endpointLabel.apply(endpoint);
    }

    private Mdc sessionMdc(String event, String server, String endpoint) {
        Mdc mdc = new Mdc(5);
        mdc.put(EVENT, event);
        mdc.put(SERVER, server);
        mdc.put(ENDPOINT, endpoint);
        return mdc;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown cause";
        }
        String m = cause.getMessage();
        return m == null || m.isBlank() ? cause.getClass().getSimpleName() : Redaction.text(m);
    }

    /** {@code trace_id} and {@code span_id} from a W3C {@code traceparent} a tracing listener put in {@code _meta}. */
    private void traceIds(Mdc mdc, CallContext call) {
        Object tp = call.meta().get("traceparent");
        if (tp instanceof String s && s.length() >= 55 && s.charAt(2) == '-' && s.charAt(35) == '-'
                && s.charAt(52) == '-') {
            mdc.put(TRACE_ID, s.substring(3, 35));
            mdc.put(SPAN_ID, s.substring(36, 52));
        }
    }

    @Override
    public String toString() {
        return "LoggingEvents[" + calls.getName() + ", " + sessions.getName() + "]";
    }

    private static void requestIds(Mdc mdc, CallContext call) {
        long id = call.requestId();
        if (id >= 0) {
            mdc.put(REQUEST_ID, Long.toString(id));
        }
        mdc.put(SESSION_ID, call.sessionId());
    }

    /** MDC entries for one line; restores what the thread had before. */
    private final class Mdc implements AutoCloseable {
        private final String[] keys;
        private final String[] previous;
        private int size;

        Mdc(int capacity) {
            keys = new String[capacity];
            previous = new String[capacity];
        }

        void put(String key, String value) {
            if (value == null) {
                return;
            }
            String k = mdcPrefix.isEmpty() ? key : mdcPrefix + key;
            keys[size] = k;
            previous[size] = MDC.get(k);
            size++;
            MDC.put(k, value);
        }

        @Override
        public void close() {
            for (int i = size - 1; i >= 0; i--) {
                if (previous[i] == null) {
                    MDC.remove(keys[i]);
                } else {
                    MDC.put(keys[i], previous[i]);
                }
            }
        }
    }

    /** Builds a {@link LoggingEvents}. */
    public static final class Builder {
        private String loggerPrefix = DEFAULT_LOGGER_PREFIX;
        private Level failureLevel = Level.WARN;
        private String mdcPrefix = "";
        private UnaryOperator<String> endpointLabel = Redaction::endpoint;

        private Builder() {
        }

        /** Loggers are {@code <prefix>.sessions}, {@code <prefix>.calls} and {@code <prefix>.state}; default {@code mcp.pool}. */
        public Builder loggerPrefix(String prefix) {
            loggerPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * The level of the line for a call that failed (any error type but {@code tool_error} and
         * {@code cancelled}, which are logged at DEBUG). WARN by default; DEBUG puts every call line at DEBUG.
         */
        public Builder failureLevel(Level level) {
            failureLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /** Prefixes every MDC key ({@code "mcp."} gives {@code mcp.server}, ...); none by default. */
        public Builder mdcPrefix(String prefix) {
            mdcPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * How an endpoint label is shown; {@link Redaction#endpoint} by default. Replace it to name endpoints
         * your own way; whatever it returns is logged as is.
         */
        public Builder endpointLabel(UnaryOperator<String> label) {
            endpointLabel = Objects.requireNonNull(label, "label");
            return this;
        }

        /** The listener; add it to a pool ({@code McpPool.builder().eventListener(...)}). */
        public LoggingEvents build() {
            return new LoggingEvents(this);
        }
    }
}
