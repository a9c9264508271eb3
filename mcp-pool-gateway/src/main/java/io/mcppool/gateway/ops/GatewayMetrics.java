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
    static final String QUOTA_REFUSALS = "mcp.pool.gateway.quota.refusals";
    static final String SESSIONS_ENDED = "mcp.pool.gateway.sessions.ended";
    static final String AUTH_FAILURES = "mcp.pool.gateway.auth.failures";

    private final Map<String, Counter> streamsClosed;
    private final Map<String, Counter> responsesDropped;
    private final Map<String, Counter> clientRequestsFailed;
    private final Map<String, Counter> quotaRefusals;
    private final Map<String, Counter> sessionsEnded;
    private final Map<String, Counter> authFailures;

    public GatewayMetrics(MeterRegistry registry) {
        this.streamsClosed = counters(registry, STREAMS_CLOSED, "Streams to clients closed before their end",
                List.of(SLOW_CLIENT));
        this.responsesDropped = counters(registry, RESPONSES_DROPPED,
                "Responses dropped while waiting for a client to read them", List.of(SLOW_CLIENT));
        this.clientRequestsFailed = counters(registry, CLIENT_REQUESTS_FAILED,
                "Upstream requests to clients (sampling, elicitation) that ended without the client's answer",
                List.of(TIMEOUT, TOO_MANY));
        this.quotaRefusals = counters(registry, QUOTA_REFUSALS, "Requests refused at a client's quota or the gateway's"
                + " session limit (429 or 503)", "quota", List.of(SESSIONS_PER_CLIENT, STREAMS_PER_CLIENT,
                CALLS_PER_CLIENT, STICKY_SESSIONS_PER_CLIENT, GATEWAY_SESSIONS));
        this.sessionsEnded = counters(registry, SESSIONS_ENDED, "Client sessions the gateway ended (not the client's"
                + " DELETE)", "reason", List.of(IDLE, EVICTED, REVOKED));
        this.authFailures = counters(registry, AUTH_FAILURES, "Requests refused for their credentials",
                List.of(MISSING, INVALID_TOKEN, THROTTLED));
    }

    private static Map<String, Counter> counters(MeterRegistry registry, String name, String description,
                                                 List<String> reasons) {
        return counters(registry, name, description, "reason", reasons);
    }

    private static Map<String, Counter> counters(MeterRegistry registry, String name, String description, String tag,
                                                 List<String> values) {
        return values.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), value -> Counter
                .builder(name).description(description).tag(tag, value).register(registry)));
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
    public void refused(String quota) {
        increment(quotaRefusals, quota);
    }

    @Override
    public void sessionEnded(String reason) {
        increment(sessionsEnded, reason);
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
