/**
 * MCP's messages as records ({@link io.mcppool.protocol.CallToolResult}, {@link io.mcppool.protocol.Tool},
 * {@link io.mcppool.protocol.Content} and the rest), JSON-RPC 2.0 messages and their codec
 * ({@link io.mcppool.protocol.JsonRpcCodec}), the protocol revisions the pool speaks, and the handler a pool asks
 * when a server sends a request of its own ({@link io.mcppool.protocol.ServerRequestHandler}). Records keep the JSON
 * they were read from where MCP allows fields this library does not know.
 */
package io.mcppool.protocol;
