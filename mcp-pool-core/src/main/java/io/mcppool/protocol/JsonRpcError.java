package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** The error object of a JSON-RPC response. {@code data} may be null. */
public record JsonRpcError(int code, String message, JsonNode data) {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /** Used by several servers (and the spec's examples) for "session not found". */
    public static final int SESSION_NOT_FOUND = -32001;

    public static JsonRpcError of(int code, String message) {
        return new JsonRpcError(code, message, null);
    }
}
