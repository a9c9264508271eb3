package io.mcppool.call;

import java.util.Map;

/**
 * No endpoint of the server could take the call: every one has its circuit breaker open or is
 * unhealthy (or all were tried and failed). Nothing was sent for the attempt that ended here. The message
 * names each endpoint and its state; {@link #endpointStates()} holds the same by endpoint name.
 */
public class NoEndpointAvailableException extends McpPoolException {
    private final Map<String, String> endpointStates;

    public NoEndpointAvailableException(String message, String server, String tool, Map<String, String> endpointStates,
                                        Throwable cause) {
        super(message, server, null, tool, cause);
        this.endpointStates = Map.copyOf(endpointStates);
    }

    /** Each endpoint's name and why it could not take the call ("breaker open for 2100 ms more (...)"). */
    public Map<String, String> endpointStates() {
        return endpointStates;
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.UNAVAILABLE;
    }
}
