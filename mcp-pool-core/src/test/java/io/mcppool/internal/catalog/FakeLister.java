package io.mcppool.internal.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server's lists as the catalog's lister sees them, held in memory so a unit test can change them, hold a
 * listing open ({@link #hold}) or make it fail. Reads the lists when asked, as a server reads them when the
 * request arrives.
 */
final class FakeLister implements Lister {
    final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    volatile List<Tool> tools = List.of();
    volatile List<Resource> resources = List.of();
    volatile List<ResourceTemplate> templates = List.of();
    volatile List<Prompt> prompts = List.of();
    /** Listings answer when this completes. */
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    /** Fails every method, or only {@link #failing} when that is set. */
    volatile RuntimeException failure;
    volatile String failing;

    @Override
    public CompletableFuture<List<JsonNode>> list(String method, String field) {
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        List<?> items = switch (method) {
            case McpMethods.TOOLS_LIST -> tools;
            case McpMethods.RESOURCES_LIST -> resources;
            case McpMethods.RESOURCES_TEMPLATES_LIST -> templates;
            case McpMethods.PROMPTS_LIST -> prompts;
            default -> throw new IllegalArgumentException(method);
        };
        List<JsonNode> json = new ArrayList<>();
        for (Object item : items) {
            json.add(Json.toTree(item));
        }
        RuntimeException f = failure;
        boolean fails = f != null && (failing == null || failing.equals(method));
        return gate.thenCompose(v -> fails ? CompletableFuture.failedFuture(f) : CompletableFuture.completedFuture(json));
    }

    int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    CompletableFuture<Void> hold() {
        CompletableFuture<Void> g = new CompletableFuture<>();
        gate = g;
        return g;
    }
}
