package io.mcppool.gateway.ops;

import io.mcppool.McpPool;
import io.mcppool.call.McpPoolException;
import io.mcppool.config.ServerConfig;
import io.mcppool.status.EndpointStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Whether the gateway should get traffic ({@code /readyz}). It is ready when it is not draining and every server
 * marked {@code required} has at least one endpoint that can take calls: its breaker permits calls and neither
 * active health checks nor a crash loop made it unhealthy. With no required server it is ready while the pool is up.
 *
 * @param notReady what keeps it from being ready, one entry per server (or {@code gateway} / {@code pool}); empty
 *                 when ready
 */
public record Readiness(boolean ready, boolean draining, List<NotReady> notReady) {

    /** @param server a server's name, or {@code gateway} (draining) or {@code pool} (closed) */
    public record NotReady(String server, String reason) {
    }

    public Readiness {
        notReady = List.copyOf(notReady);
    }

    /** Reads the pool's endpoints now. */
    public static Readiness of(GatewayView gateway) {
        McpPool pool = gateway.pool();
        return of(pool.config().servers().values(), gateway.draining(), pool::endpoints);
    }

    /**
     * @param endpoints a server's endpoints by name; may throw {@link McpPoolException} (the pool is closed)
     */
    static Readiness of(Iterable<ServerConfig> servers, boolean draining,
                        Function<String, List<EndpointStatus>> endpoints) {
        List<NotReady> notReady = new ArrayList<>();
        if (draining) {
            notReady.add(new NotReady("gateway", "draining: shutting down, finishing calls in flight"));
        }
        String anyServer = null;
        boolean anyRequired = false;
        for (ServerConfig s : servers) {
            if (anyServer == null) {
                anyServer = s.name();
            }
            if (!s.required()) {
                continue;
            }
            anyRequired = true;
            try {
                List<EndpointStatus> list = endpoints.apply(s.name());
                if (list.stream().noneMatch(Readiness::canTakeCalls)) {
                    notReady.add(new NotReady(s.name(), "no endpoint can take calls: " + describe(list)));
                }
            } catch (McpPoolException e) {
                notReady.add(new NotReady(s.name(), e.getMessage()));
            }
        }
        if (!anyRequired && anyServer != null) {
            // Nothing is required, so only the pool itself can keep the gateway from serving: reading any server's
            // endpoints fails once the pool is closed.
            try {
                endpoints.apply(anyServer);
            } catch (McpPoolException e) {
                notReady.add(new NotReady("pool", e.getMessage()));
            }
        }
        return new Readiness(notReady.isEmpty(), draining, notReady);
    }

    /**
     * Whether an endpoint can take a call now: its breaker permits one and neither active checks nor a crash loop
     * made it unhealthy. This is the engine's own {@link EndpointStatus#available()}: a breaker whose open time is
     * over lets trial calls through and so counts as ready, since only traffic can close it again.
     */
    public static boolean canTakeCalls(EndpointStatus e) {
        return e.available();
    }

    private static String describe(List<EndpointStatus> list) {
        if (list.isEmpty()) {
            return "it has none";
        }
        StringBuilder sb = new StringBuilder();
        for (EndpointStatus e : list) {
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append(e.name()).append(' ').append(e.health().tagValue());
            if (e.healthReason() != null && !e.healthReason().isEmpty()) {
                sb.append(" (").append(e.healthReason()).append(')');
            }
            sb.append(", breaker ").append(e.breaker().state().tagValue());
        }
        return sb.toString();
    }
}
