package io.mcppool.catalog;

import java.util.Optional;

/**
 * What an aggregate name stands for.
 *
 * @param server    the configured server
 * @param name      the upstream's own name of the tool or prompt
 * @param tool      the tool as listed (absent for a prompt), schema and annotations unchanged
 * @param trusted   whether the tool's annotations come from a trusted server
 */
public record CatalogEntry(String server, String name, Optional<io.mcppool.protocol.Tool> tool, boolean trusted) {
}
