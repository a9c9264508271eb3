/**
 * Structured logs of a pool's events ({@link io.mcppool.logging.LoggingEvents}, a listener), and the limiter that
 * writes what a server says outside the protocol (stderr, stray stdout lines, log notifications) at a bounded rate
 * ({@link io.mcppool.logging.RateLimitedLog}).
 */
package io.mcppool.logging;
