/**
 * The pool: {@link io.mcppool.McpPool}, created from a config file or a builder, the one entry point to warm,
 * multiplexed, supervised sessions to many MCP servers. It is the only class of the API that reaches the engine
 * ({@code io.mcppool.internal}, not exported); every other API package is vocabulary that depends on no engine type.
 */
package io.mcppool;
