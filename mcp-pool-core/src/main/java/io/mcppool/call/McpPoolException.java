package io.mcppool.call;

import java.util.Optional;

/**
 * The one base of every failure {@link io.mcppool.McpPool} reports. Each subtype is one kind of failure the
 * caller can act on; the message always names the server and, where they are known, the endpoint
 * and the tool.
 */
public abstract class McpPoolException extends RuntimeException {
    /** The server's name in the config; null when the failure is not one server's (a closed pool). */
    private final String server;
    /** The endpoint's name, when one was picked. */
    private final String endpoint;
    /** The tool's name, for a tool call. */
    private final String tool;

    /**
     * @param message  what happened, without the names (they are prefixed)
     * @param server   the server's name, or null
     * @param endpoint the endpoint's name, or null
     * @param tool     the tool's name, or null
     * @param cause    the failure underneath, or null
     */
    protected McpPoolException(String message, String server, String endpoint, String tool, Throwable cause) {
        super(compose(message, server, endpoint, tool), cause);
        this.server = server;
        this.endpoint = endpoint;
        this.tool = tool;
    }

    private static String compose(String message, String server, String endpoint, String tool) {
        StringBuilder sb = new StringBuilder();
        if (server != null) {
            sb.append("server '").append(server).append('\'');
            if (endpoint != null) {
                sb.append(" (").append(endpoint).append(')');
            }
            if (tool != null) {
                sb.append(", tool '").append(tool).append('\'');
            }
            sb.append(": ");
        }
        return sb.append(message).toString();
    }

    /**
     * What kind of failure this is, as retries, circuit breakers, metrics and the gateway's {@code data.errorType}
     * classify it: the one classification a caller needs to decide what to do (retry later, fix the request, ...).
     */
    public abstract ErrorType errorType();

    /** The server the call was for, when there was one. */
    public Optional<String> server() {
        return Optional.ofNullable(server);
    }

    /** The endpoint the call was on, when one was picked. */
    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** The tool called, for a tool call. */
    public Optional<String> tool() {
        return Optional.ofNullable(tool);
    }
}
