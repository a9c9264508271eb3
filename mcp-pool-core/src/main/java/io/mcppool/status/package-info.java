/**
 * What operators read and steer of a running pool: a snapshot of every server and endpoint
 * ({@link io.mcppool.status.PoolSnapshot}, {@link io.mcppool.status.EndpointStatus}, the session pool's
 * {@link io.mcppool.status.EndpointSnapshot}, process {@link io.mcppool.status.SupervisionSnapshot}), health and breaker
 * states, and the handle that forces or resets a breaker ({@link io.mcppool.status.BreakerControl}). Records and
 * enums that depend on nothing in the engine.
 */
package io.mcppool.status;
