package io.mcppool.gateway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.mcppool.McpPool;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.cache.CacheStats;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.Redaction;
import io.mcppool.protocol.Json;
import io.mcppool.status.EndpointStatus;
import io.mcppool.stats.EndpointMetrics;
import io.mcppool.status.HealthStatus;
import io.mcppool.stats.HealthSummary;
import io.mcppool.stats.Latency;
import io.mcppool.stats.PoolMetrics;
import io.mcppool.stats.ServerMetrics;
import io.mcppool.stats.WindowStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What {@code /api/status} answers and the status page shows: the gateway, its readiness, every server with its
 * endpoints, the result cache, the recent errors, and, as they are, the pool's snapshot and health summary.
 * JSON-serialisable; the fields are described in {@code docs/gateway-operations.md}.
 *
 * @param status        the pool's overall status (the health summary's rule)
 * @param windowSeconds the length of the window that calls, errors and latencies cover
 * @param recentErrors  newest first
 * @param errorsTotal   failures recorded since start, including those no longer in {@code recentErrors}
 */
public record StatusReport(Instant takenAt, HealthStatus status, List<String> reasons, Readiness readiness,
                           Gateway gateway, long windowSeconds, List<Server> servers, Cache cache,
                           List<RecentErrors.Entry> recentErrors, long errorsTotal, PoolSnapshot snapshot,
                           HealthSummary health) {

    /**
     * @param lastReloadError why the last reload was rejected, or null
     * @param clashes         aggregate names claimed by several servers, with those servers
     */
    public record Gateway(Instant startedAt, long uptimeSeconds, String configSource, int clientSessions,
                          boolean draining, String lastReloadError, Map<String, List<String>> clashes) {
    }

    /**
     * One server as operators see it.
     *
     * @param state     {@code healthy}, {@code degraded} or {@code unhealthy}, by the health summary's rule
     * @param required  whether readiness depends on it ({@code required: true} in its config)
     * @param ready     whether at least one of its endpoints can take calls
     * @param toolCount tools in the cached list; -1 when not cached
     * @param reasons   why it is not healthy
     * @param calls     calls in the window; {@code errors} are those that count against the server
     * @param latency   of the calls in the window; null without calls
     * @param sessions  open upstream sessions over all endpoints; {@code idleSessions} of them with nothing in flight
     */
    public record Server(String name, String transport, HealthStatus state, boolean required, boolean ready,
                         String balance, int toolCount, List<String> reasons, long calls, long errors, long toolErrors,
                         double errorRate, Latency latency, int inFlight, int sessions, int idleSessions,
                         List<Endpoint> endpoints) {
    }

    /**
     * One endpoint (replica) of a server.
     *
     * @param state        by the health summary's rule (checks, breaker, sessions, error rate, saturation)
     * @param health       what the active checks and the breaker say ({@code healthy}, {@code degraded},
     *                     {@code unhealthy}), with {@code healthReason}
     * @param breaker      the circuit breaker's state: {@code closed}, {@code open}, {@code half_open}, ...
     * @param available    whether it can take a call now (breaker permits, not unhealthy)
     * @param inFlight     requests in flight; {@code pendingAcquires} callers waiting for a slot
     * @param restarts     process restarts by supervision (stdio)
     * @param lastOpenFailure why the last attempt to open a session failed, while it is the last attempt
     */
    public record Endpoint(String name, String transport, HealthStatus state, List<String> reasons, String health,
                           String healthReason, String breaker, boolean available, int inFlight, int pendingAcquires,
                           int sessions, int idleSessions, int opening, long restarts, String lastOpenFailure) {
    }

    /** The result cache's figures, or why there are none ({@code available} false). */
    public record Cache(boolean available, CacheStats stats, String reason) {
    }

    /**
     * The report as {@code /api/status} answers it: every text in it (endpoint labels, open failures, health
     * reasons, recent errors, the last reload error, the snapshot's and the health summary's own texts) passed
     * through {@link Redaction}, whichever part of the pool wrote it.
     */
    public JsonNode toJson() {
        JsonNode tree = Json.mapper().valueToTree(this);
        redact(tree);
        return tree;
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    e.setValue(TextNode.valueOf(Redaction.text(e.getValue().textValue())));
                } else {
                    redact(e.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(Redaction.text(array.get(i).textValue())));
                } else {
                    redact(array.get(i));
                }
            }
        }
    }

    /** Reads everything now. */
    public static StatusReport of(GatewayView gateway, RecentErrors errors) {
        McpPool pool = gateway.pool();
        Instant now = Instant.now();
        PoolSnapshot snapshot = pool.snapshot();
        PoolMetrics metrics = pool.allMetrics();
        HealthSummary health = pool.healthSummary();
        Map<String, ServerConfig> configs = pool.config().servers();

        List<Server> servers = new ArrayList<>(snapshot.servers().size());
        for (PoolSnapshot.ServerSnapshot s : snapshot.servers()) {
            ServerConfig config = configs.get(s.name());
            servers.add(server(s, config != null && config.required(), metrics.server(s.name()).orElse(null)));
        }
        Instant started = gateway.startedAt();
        Gateway g = new Gateway(started, Math.max(0, Duration.between(started, now).toSeconds()), gateway.configSource(),
                gateway.clientSessions(), gateway.draining(), gateway.lastReloadError().orElse(null), gateway.clashes());
        List<RecentErrors.Entry> recent = new ArrayList<>(errors.entries());
        Collections.reverse(recent);
        return new StatusReport(now, metrics.status(), metrics.reasons(), Readiness.of(gateway), g,
                metrics.windowSeconds(), servers, cache(pool), recent, errors.total(), snapshot, health);
    }

    private static Server server(PoolSnapshot.ServerSnapshot s, boolean required, ServerMetrics m) {
        List<Endpoint> endpoints = new ArrayList<>(s.status().size());
        boolean ready = false;
        int inFlight = 0;
        int sessions = 0;
        int idle = 0;
        for (EndpointStatus e : s.status()) {
            EndpointMetrics em = m == null ? null
                    : m.endpoints().stream().filter(x -> x.endpoint().equals(e.name())).findFirst().orElse(null);
            Endpoint ep = endpoint(e, em);
            endpoints.add(ep);
            ready |= Readiness.canTakeCalls(e);
            inFlight += ep.inFlight();
            sessions += ep.sessions();
            idle += ep.idleSessions();
        }
        WindowStats w = m == null ? null : m.window();
        return new Server(s.name(), s.transport(), m == null ? HealthStatus.HEALTHY : m.status(), required, ready,
                s.balance(), s.toolCount(), m == null ? List.of() : m.reasons(), w == null ? 0 : w.calls(),
                w == null ? 0 : w.errors(), w == null ? 0 : w.toolErrors(), w == null ? 0 : w.errorRate(),
                w == null ? null : w.latency(), inFlight, sessions, idle, endpoints);
    }

    private static Endpoint endpoint(EndpointStatus e, EndpointMetrics m) {
        var pool = e.pool();
        HealthStatus state = m != null ? m.status() : e.health();
        return new Endpoint(e.name(), e.transport(), state, m == null ? List.of() : m.reasons(), e.health().tagValue(),
                e.healthReason(), e.breaker().state().tagValue(), e.available(), pool == null ? e.outstanding() : pool.inFlight(),
                pool == null ? 0 : pool.pendingAcquires(), pool == null ? 0 : pool.sessions(),
                pool == null ? 0 : pool.idleSessions(), pool == null ? 0 : pool.opening(),
                e.supervision() == null ? 0 : e.supervision().restarts(), pool == null ? null : pool.lastOpenFailure());
    }

    private static Cache cache(McpPool pool) {
        try {
            return new Cache(true, pool.resultCache().stats(), null);
        } catch (UnsupportedOperationException e) {
            return new Cache(false, null, e.getMessage());
        }
    }
}
