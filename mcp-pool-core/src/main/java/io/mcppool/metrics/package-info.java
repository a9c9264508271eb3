/**
 * Micrometer meters for a pool's calls, sessions, processes, breakers and cache ({@link io.mcppool.metrics.McpPoolMetrics},
 * a listener). Needs {@code micrometer-core} on the class path; the pool itself does not.
 */
package io.mcppool.metrics;
