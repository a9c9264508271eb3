package io.mcppool.call;

import java.util.Optional;

/**
 * The one base of every failure {@link io.mcppool.McpPool} reports. Each subtype is one kind of failure the
 * caller can act on; the message always names the server and, where they are known, the endpoint
 * and the tool.
 */
public abstract class McpPoolException extends RuntimeException {
    private final String server;
    private final String endpoint;
    private final String tool;

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

    public Optional<String> server() {
        return Optional.ofNullable(server);
    }

    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public Optional<String> tool() {
        return Optional.ofNullable(tool);
    }
}
