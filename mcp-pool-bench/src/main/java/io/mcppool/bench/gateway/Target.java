package io.mcppool.bench.gateway;

/** One row of the gateway scenario, set up: something the load's callers call the echo tool through. */
interface Target extends AutoCloseable {
    /** One blocking call of the echo tool by client {@code i}; returns the text that came back. */
    @FunctionalInterface
    interface Caller {
        String echo(String message) throws Exception;
    }

    GatewayScenario.Kind kind();

    /** Opens clients (MCP sessions) until there are at least {@code n}, before a level's load starts. */
    void ensureClients(int n) throws Exception;

    /** The caller of client {@code i} (one thread uses it at a time). */
    Caller caller(int i);

    /** CPU time so far of what serves the calls outside this JVM: the gateway process and its upstreams. */
    long serverCpuNanos();

    /** How many upstream (testkit) processes serve the calls now. */
    long upstreams();

    /** How it was started, for the notes under the table. */
    String description();

    @Override
    void close();
}
