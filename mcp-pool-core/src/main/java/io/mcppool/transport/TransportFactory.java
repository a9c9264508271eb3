package io.mcppool.transport;

/** Makes a new, unstarted transport for each session a pool opens. */
@FunctionalInterface
public interface TransportFactory {
    Transport create();
}
