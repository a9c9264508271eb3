package io.mcppool;

import io.mcppool.pool.EndpointSnapshot;
import java.time.Instant;
import java.util.List;

/** Every server and endpoint of a pool at one moment. JSON-serialisable (Jackson). */
public record PoolSnapshot(Instant takenAt, List<ServerSnapshot> servers) {

    /**
     * @param transport   {@code stdio}, {@code http} or {@code custom}
     * @param toolCount   tools in the cached list, or -1 when the list is not cached
     */
    public record ServerSnapshot(String name, String transport, List<EndpointSnapshot> endpoints, int toolCount) {
    }
}
