package io.mcppool.stats;

import io.mcppool.testing.ManualClock;
import io.mcppool.call.ErrorType;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.status.EndpointSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A PoolStats over a pool that exists only as snapshots the test sets, with a {@link ManualClock}, and
 * shorthands to fire the events a pool would.
 */
public final class StatsFixture {
    public final ManualClock clock = new ManualClock();
    /** server -> its endpoints' snapshots, in insertion order of servers. */
    private final Map<String, List<EndpointSnapshot>> endpoints = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>());
    private final Map<String, Integer> maxCapacity = new ConcurrentHashMap<>();
    public final PoolStats stats;

    public StatsFixture() {
        this(StatsOptions.DEFAULTS);
    }

    public StatsFixture(StatsOptions options) {
        this.stats = PoolStats.builder().options(options).clock(clock).snapshots(this::snapshot)
                .maxCapacity((s, e) -> maxCapacity.getOrDefault(s + "|" + e, 0)).build();
    }

    private PoolSnapshot snapshot() {
        List<PoolSnapshot.ServerSnapshot> list = new ArrayList<>();
        synchronized (endpoints) {
            endpoints.forEach((name, eps) -> list.add(new PoolSnapshot.ServerSnapshot(name, "stdio", List.copyOf(eps), 3)));
        }
        return new PoolSnapshot(clock.instant(), list);
    }

    /** A multiplexed endpoint with {@code sessions} open sessions of 4 slots each. */
    public static EndpointSnapshot endpoint(String name, int sessions, int inFlight, String lastOpenFailure) {
        return new EndpointSnapshot(name, "multiplexed", sessions, inFlight == 0 ? sessions : 0, 0, inFlight,
                sessions * 4, 0, sessions, 0, 0, lastOpenFailure);
    }

    /** Sets (or replaces) a server and its endpoints. */
    public StatsFixture server(String name, EndpointSnapshot... eps) {
        endpoints.put(name, List.of(eps));
        return this;
    }

    /** A server with one endpoint named "ep" with one open session. */
    public StatsFixture server(String name) {
        return server(name, endpoint("ep", 1, 0, null));
    }

    public StatsFixture removeServer(String name) {
        endpoints.remove(name);
        return this;
    }

    public StatsFixture maxCapacity(String server, String endpoint, int slots) {
        maxCapacity.put(server + "|" + endpoint, slots);
        return this;
    }

    public static CallContext call(String server, String endpoint) {
        CallContext c = new CallContext(server, "tools/call", "t", 0);
        if (endpoint != null) {
            c.endpoint(endpoint);
        }
        return c;
    }

    public StatsFixture calls(String server, String endpoint, int n, CallOutcome outcome, ErrorType type, Duration d) {
        for (int i = 0; i < n; i++) {
            stats.callEnded(call(server, endpoint), outcome, type, d.toNanos());
        }
        return this;
    }

    public StatsFixture ok(String server, int n) {
        return calls(server, "ep", n, CallOutcome.SUCCESS, null, Duration.ofMillis(10));
    }

    public StatsFixture toolErrors(String server, int n) {
        return calls(server, "ep", n, CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR, Duration.ofMillis(10));
    }

    public StatsFixture failures(String server, int n, ErrorType type) {
        return calls(server, "ep", n, CallOutcome.FAILURE, type, Duration.ofMillis(200));
    }

    public StatsFixture advance(Duration d) {
        clock.advance(d);
        return this;
    }

    public EndpointMetrics endpointMetrics(String server, String endpoint) {
        return stats.serverMetrics(server).endpoints().stream().filter(e -> e.endpoint().equals(endpoint)).findFirst()
                .orElseThrow();
    }
}
