/**
 * The vocabulary of a call: its options ({@link io.mcppool.call.CallOptions}), how it can fail
 * ({@link io.mcppool.call.McpPoolException} and its subtypes, one per thing a caller can act on) and the kind of each
 * failure ({@link io.mcppool.call.ErrorType}). Nothing here depends on the engine, so events, configuration and
 * integrations can speak it without depending on the pool.
 */
package io.mcppool.call;
