package io.mcppool.metrics;

/**
 * The small keys of the meter caches. Records, so equality and hashing come for free; the strings
 * in them are the caller's own (server names, method constants, tool names), whose hash codes the
 * JVM caches, so a lookup hashes a few ints and compares a few (usually identical) references.
 */
final class MeterKeys {
    private MeterKeys() {
    }

    /** One kind of call: {@code tool} is the raw tool name (null for methods without one). */
    record CallKey(String server, String method, String tool) {
    }

    /** One endpoint of one server. */
    record EndpointKey(String server, String endpoint) {
    }

    /** A (server, tool) pair for the cache meters. */
    record ToolKey(String server, String tool) {
    }

    /** A state change of an endpoint (breaker or health). */
    record TransitionKey(String server, String endpoint, String from, String to) {
    }
}
