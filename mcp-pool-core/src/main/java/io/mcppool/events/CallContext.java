package io.mcppool.events;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One call as the event hooks see it, from {@link PoolEvents#callStarted} to {@link PoolEvents#callEnded}.
 * The same object is passed to every hook of the call, so a listener can keep per-call state in it
 * ({@link #attach}) instead of a map keyed by call. Synchronous listeners may add entries to the
 * request's {@code _meta} in {@code callStarted} (tracing adds {@code traceparent} there).
 *
 * <p>Not thread-safe beyond this: hooks of one call are called one after another, never at once.
 */
public final class CallContext {
    private final String server;
    private final String method;
    private final String tool;
    private final long startNanos;
    private volatile String endpoint;
    private volatile long requestId = -1;
    private volatile String sessionId;
    private Map<Object, Object> attachments;
    private Map<String, Object> meta;

    /**
     * Made by the engine when a call starts.
     *
     * @param tool       the tool's name on a tool call, else null
     * @param startNanos {@link System#nanoTime()} when the call was made
     */
    public CallContext(String server, String method, String tool, long startNanos) {
        this.server = server;
        this.method = method;
        this.tool = tool;
        this.startNanos = startNanos;
    }

    /** The pool's name for the server the call is for. */
    public String server() {
        return server;
    }

    /** The MCP method: {@code tools/call}, {@code tools/list}, {@code resources/read}, ... */
    public String method() {
        return method;
    }

    /** The tool's name for {@code tools/call}; empty otherwise. */
    public Optional<String> tool() {
        return Optional.ofNullable(tool);
    }

    /** The tool's name, or null: for hot paths that should not allocate an Optional. */
    public String toolOrNull() {
        return tool;
    }

    /** The endpoint the call went to, once one was picked; null before. */
    public String endpoint() {
        return endpoint;
    }

    /** Set by the engine when it picks an endpoint (again on each retry). */
    public void endpoint(String value) {
        endpoint = value;
    }

    /** The JSON-RPC id of the call's request (of its last attempt, when it was retried); -1 before it was sent. */
    public long requestId() {
        return requestId;
    }

    /** The server's session id ({@code Mcp-Session-Id}, Streamable HTTP only) the request went on, or null. */
    public String sessionId() {
        return sessionId;
    }

    /** Set by the engine when the request is sent. */
    public void sent(long requestId, String sessionId) {
        this.requestId = requestId;
        this.sessionId = sessionId;
    }

    /** {@link System#nanoTime()} when the call was made. */
    public long startNanos() {
        return startNanos;
    }

    /** What a listener attached under {@code key} (its per-call state), or null. */
    @SuppressWarnings("unchecked")
    public <T> T attachment(Object key) {
        return attachments == null ? null : (T) attachments.get(key);
    }

    /**
     * Keeps a listener's per-call state (a span, a timer sample) with the call, under a key of the listener's own.
     * The hooks of one call run one after another, so no lock is taken.
     */
    public void attach(Object key, Object value) {
        if (attachments == null) {
            attachments = new HashMap<>(4);
        }
        attachments.put(key, value);
    }

    /** Adds an entry to the request's {@code _meta}. Only effective from {@code callStarted}. */
    public void putMeta(String key, Object value) {
        if (meta == null) {
            meta = new LinkedHashMap<>(4);
        }
        meta.put(key, value);
    }

    /** What listeners added to {@code _meta}; empty map when none. */
    public Map<String, Object> meta() {
        return meta == null ? Map.of() : meta;
    }
}
