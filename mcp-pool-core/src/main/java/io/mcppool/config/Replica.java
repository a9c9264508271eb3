package io.mcppool.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One endpoint of a server, as the balancer sees it.
 *
 * @param name     how the endpoint is named in metrics, logs and errors; empty: derived from where it is
 * @param endpoint where it is and how to reach it
 * @param weight   its share under {@code weighted_round_robin}, {@code priority} and {@code consistent_hash} (1 to 1000)
 * @param tier     its tier under {@code priority}: 0 is used first, higher tiers only when lower ones have no
 *                 available endpoint
 */
public record Replica(Optional<String> name, EndpointConfig endpoint, int weight, int tier) {
    public static final int MAX_WEIGHT = 1000;

    public Replica {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(endpoint, "endpoint");
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 1 to " + MAX_WEIGHT + ", got " + weight);
        }
        if (tier < 0) {
            throw new IllegalArgumentException("tier must be 0 or more, got " + tier);
        }
    }

    public static Replica of(EndpointConfig endpoint) {
        return new Replica(Optional.empty(), endpoint, 1, 0);
    }
}
