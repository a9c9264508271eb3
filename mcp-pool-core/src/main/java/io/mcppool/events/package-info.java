/**
 * The one listener model: {@link io.mcppool.events.PoolEvents} has a hook for each step of a call and of a session's,
 * process's, breaker's and cache entry's life, with typed reasons and states. Metrics, logs, traces and statistics
 * are listeners; a slow one runs behind {@link io.mcppool.events.AsyncPoolEvents}. Hooks are called on the thread
 * where the step happens and must not block.
 */
package io.mcppool.events;
