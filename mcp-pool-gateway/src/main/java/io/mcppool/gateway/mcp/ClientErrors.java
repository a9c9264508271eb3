package io.mcppool.gateway.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.call.ErrorType;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.ProtocolErrorException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.call.UnknownToolException;
import io.mcppool.logging.RateLimitedLog;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** What a client is told when its request fails, and the gateway's own refusals. */
final class ClientErrors {
    private static final Logger log = LoggerFactory.getLogger(GatewayDispatcher.class);
    /** JSON-RPC code for a request the client cancelled (answered only where a response must be written). */
    static final int REQUEST_CANCELLED = -32800;
    /** The spec's code for an unknown resource. */
    static final int RESOURCE_NOT_FOUND = -32002;

    private ClientErrors() {
    }

    /**
     * The JSON-RPC error a client gets for a failed request. Its message is stable: the error type's description
     * and the server's name, never the exception's own message, which may hold a command line, a pid, a server's
     * stderr, an upstream's URL or a Java class name. Those details go to the log (and the status page keeps the
     * failure for operators). {@code data.errorType} says which {@link ErrorType} it was, {@code data.server}
     * which server. The gateway's own refusals ({@link Refused}: unknown tool, bad params) and an
     * upstream's own JSON-RPC error keep their messages; a request nobody expected to fail is an internal error.
     */
    static JsonRpcError of(Throwable e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause(); // a stage's wrapper around what failed
        }
        if (t instanceof Refused g) {
            return g.error();
        }
        if (t instanceof CancellationException) {
            return JsonRpcError.of(REQUEST_CANCELLED, "Request cancelled");
        }
        if (t instanceof UnknownToolException u) {
            return JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + u.tool().orElse("?"));
        }
        if (t instanceof ProtocolErrorException p && p.error().isPresent()) {
            return p.error().get(); // the upstream's own error (invalid params, not found, ...), as it said it
        }
        ObjectNode data = Json.object();
        if (!(t instanceof McpPoolException m)) {
            // Not a failure the pool knows: a bug or an exhausted JVM. The client learns nothing of it.
            FAILURES.log("a client's request failed unexpectedly: {}", String.valueOf(t));
            log.debug("a client's request failed unexpectedly", t);
            data.put("errorType", "internal");
            return new JsonRpcError(JsonRpcError.INTERNAL_ERROR, "Internal error", data);
        }
        ErrorType type = m.errorType();
        data.put("errorType", type.tagValue());
        Optional<String> server = m.server();
        server.ifPresent(s -> data.put("server", s));
        FAILURES.log("a client's request failed: {}", type.tagValue() + ": " + m.getMessage());
        if (t instanceof UnknownServerException) {
            return new JsonRpcError(JsonRpcError.INVALID_PARAMS, "Unknown server", data);
        }
        int code = type == ErrorType.INVALID_REQUEST ? JsonRpcError.INVALID_PARAMS : JsonRpcError.INTERNAL_ERROR;
        String what = type.description();
        String message = Character.toUpperCase(what.charAt(0)) + what.substring(1)
                + server.map(s -> " (server '" + s + "')").orElse("");
        return new JsonRpcError(code, message, data);
    }

    /**
     * The details of failures answered to clients, at WARN, at most {@value RateLimitedLog#DEFAULT_LINES_PER_MINUTE}
     * lines a minute (a client that fails on purpose must not fill the disk); each line redacted and cut.
     */
    private static final RateLimitedLog FAILURES = new RateLimitedLog(log, Level.WARN, "lines of failed client requests",
            RateLimitedLog.DEFAULT_LINES_PER_MINUTE, RateLimitedLog.MAX_LINE_CHARS, n -> { }, System::nanoTime);

    /** A request the gateway itself refuses, with its JSON-RPC error. */
    static final class Refused extends RuntimeException {
        private final transient JsonRpcError error;

        Refused(int code, String message) {
            super(message, null, false, false);
            this.error = JsonRpcError.of(code, message);
        }

        JsonRpcError error() {
            return error;
        }
    }
}
