/**
 * OpenTelemetry spans for a pool's calls, with the trace context passed to servers in {@code _meta}
 * ({@link io.mcppool.tracing.McpTracing}, a listener). Needs {@code opentelemetry-api} on the class path.
 */
package io.mcppool.tracing;
