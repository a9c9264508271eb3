package io.mcppool.status;

import java.time.Instant;
import java.util.List;

/** Every server and endpoint of a pool at one moment. JSON-serialisable (Jackson). */
public record PoolSnapshot(Instant takenAt, List<ServerSnapshot> servers) {

    /**
     * @param transport   {@code stdio}, {@code http}, {@code custom}, or {@code mixed} for replicas of several kinds
     * @param endpoints   each endpoint's session pool, in config order
     * @param toolCount   tools in the catalog, or -1 while the server has not been listed
     * @param balance     the balancing strategy's config name
     * @param status      each endpoint's health, breaker, load and supervision, in config order
     */
    public record ServerSnapshot(String name, String transport, List<EndpointSnapshot> endpoints, int toolCount,
                                 String balance, List<EndpointStatus> status) {

        /** A server's pools without routing state (for tests and tools that build snapshots by hand). */
        public ServerSnapshot(String name, String transport, List<EndpointSnapshot> endpoints, int toolCount) {
            this(name, transport, endpoints, toolCount, "round_robin", List.of());
        }
    }
}
