package io.mcppool.protocol;

/**
 * One JSON-RPC 2.0 message as MCP uses it: a request, a notification or a response.
 * Batches are not modelled: no supported protocol revision sends them to a client in practice, and
 * 2025-06-18 removed them.
 */
public sealed interface JsonRpcMessage permits JsonRpcRequest, JsonRpcNotification, JsonRpcResponse {
}
