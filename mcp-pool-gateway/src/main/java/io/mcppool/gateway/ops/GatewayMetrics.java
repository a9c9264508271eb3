package io.mcppool.gateway.ops;

import io.mcppool.gateway.mcp.GatewayEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The gateway's own counters of clients at its limits, beside the pool's meters in the same registry. Every series
 * exists from the start (at 0), so a rate or an alert works before the first event.
 */
public final class GatewayMetrics implements GatewayEvents {
    static final String STREAMS_CLOSED = "mcp.pool.gateway.streams.closed";
    static final String RESPONSES_DROPPED = "mcp.pool.gateway.responses.dropped";
    static final String CLIENT_REQUESTS_FAILED = "mcp.pool.gateway.client.requests.failed";
    static final String AUTH_FAILURES = "mcp.pool.gateway.auth.failures";

    private final Map<String, Counter> streamsClosed;
    private final Map<String, Counter> responsesDropped;
    private final Map<String, Counter> clientRequestsFailed;
    private final Map<String, Counter> authFailures;

    public GatewayMetrics(MeterRegistry registry) {
        this.streamsClosed = counters(registry, STREAMS_CLOSED, "Streams to clients closed before their end",
                List.of(SLOW_CLIENT));
        this.responsesDropped = counters(registry, RESPONSES_DROPPED,
                "Responses dropped while waiting for a client to read them", List.of(SLOW_CLIENT));
        this.clientRequestsFailed = counters(registry, CLIENT_REQUESTS_FAILED,
                "Upstream requests to clients (sampling, elicitation) that ended without the client's answer",
                List.of(TIMEOUT, TOO_MANY));
        this.authFailures = counters(registry, AUTH_FAILURES, "Requests refused for their credentials",
                List.of(MISSING, INVALID_TOKEN, THROTTLED));
    }

    private static Map<String, Counter> counters(MeterRegistry registry, String name, String description,
                                                 List<String> reasons) {
        return reasons.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), reason -> Counter
                .builder(name).description(description).tag("reason", reason).register(registry)));
    }

    @Override
    public void streamClosed(String reason) {
        increment(streamsClosed, reason);
    }

    @Override
    public void responseDropped(String reason) {
        increment(responsesDropped, reason);
    }

    @Override
    public void clientRequestFailed(String reason) {
        increment(clientRequestsFailed, reason);
    }

    @Override
    public void authFailed(String reason) {
        increment(authFailures, reason);
    }

    private static void increment(Map<String, Counter> counters, String reason) {
        Counter c = counters.get(reason);
        if (c != null) {
            c.increment();
        }
    }
}
