package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.RequestId;
import java.util.concurrent.CompletableFuture;

/** One {@code tools/call} as a {@link ToolHandler} sees it, and its way back to the client. */
public interface ToolContext {

    String toolName();

    /** The call's {@code arguments}: always an object (empty when the client sent none). */
    JsonNode arguments();

    /** The call's {@code _meta}, or a missing node. */
    JsonNode meta();

    RequestId requestId();

    /** The MCP session the call arrived on: the {@code Mcp-Session-Id} over HTTP, a generated id otherwise. */
    String sessionId();

    /** Whether the client sent {@code notifications/cancelled} for this call (the thread is also interrupted). */
    boolean isCancelled();

    /**
     * Sends {@code notifications/progress} for this call; does nothing when the client gave no
     * {@code progressToken}. {@code total} and {@code message} may be null.
     */
    void progress(double progress, Double total, String message);

    /** Sends {@code notifications/message} for this call, unless the client asked for a higher level. */
    void log(String level, String message);

    /** Sends a notification related to this call (over HTTP it travels on this call's stream). */
    void sendNotification(String method, JsonNode params);

    /**
     * Sends a request to the client (for example {@code roots/list} or {@code ping}) related to this
     * call. The future completes with the result, or fails with {@link ClientErrorException} when the
     * client answered with an error.
     */
    CompletableFuture<JsonNode> sendRequest(String method, JsonNode params);
}
