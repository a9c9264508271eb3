/**
 * What operators read and steer of a running pool: the state of an endpoint's circuit breaker and the handle that
 * forces or resets it. Nothing here depends on the engine.
 */
package io.mcppool.status;
