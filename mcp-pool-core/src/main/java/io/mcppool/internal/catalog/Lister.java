package io.mcppool.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How the catalog lists one server: a list method followed through every page. Internal to mcp-pool; the
 * pool gives each server's catalog entry one.
 */
@FunctionalInterface
public interface Lister {
    /**
     * The items of {@code field} ({@code "tools"}, ...) of every page of {@code method}; fails with the pool's
     * public exception types.
     */
    CompletableFuture<List<JsonNode>> list(String method, String field);
}
