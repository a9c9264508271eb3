package io.mcppool.gateway.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.McpPool;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.ServerConfig;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's lists: every server's tools and prompts under their aggregate names, resources and templates under
 * their own, each filtered by what the client may use; and the wait, once, for servers not listed yet.
 */
final class CatalogLists {
    private static final Logger log = LoggerFactory.getLogger(GatewayDispatcher.class);
    /** How long a request waits for a server that has not been listed yet (just started, or reloaded in). */
    static final long FIRST_LISTING_WAIT_MILLIS = 5_000;

    private final McpPool pool;
    /** Servers not listed within the wait once: later requests do not wait for them again until they are. */
    private final Set<String> notWaitedFor = ConcurrentHashMap.newKeySet();

    CatalogLists(McpPool pool) {
        this.pool = pool;
    }

    private ToolCatalog catalog() {
        return pool.catalog();
    }

    /**
     * Runs {@code answer} once every server has been listed, so a client that asks right after the gateway
     * (or a server) started gets the whole list; a server that cannot be listed is waited for once, up to
     * {@link #FIRST_LISTING_WAIT_MILLIS}, and then left out until it is.
     */
    CompletableFuture<JsonNode> whenListed(Supplier<JsonNode> answer) {
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (String server : pool.servers()) {
            CompletableFuture<Void> loaded = catalog().loaded(server);
            if (loaded.isDone()) {
                notWaitedFor.remove(server);
            } else if (!notWaitedFor.contains(server)) {
                waits.add(loaded.copy().orTimeout(FIRST_LISTING_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                        .exceptionally(e -> {
                            notWaitedFor.add(server);
                            log.warn("server '{}' is not listed yet; answering without it", server);
                            return null;
                        }));
            }
        }
        if (waits.isEmpty()) {
            return CompletableFuture.completedFuture(answer.get());
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenApply(v -> answer.get());
    }

    JsonNode listTools(AccessPolicy access) {
        return namedList(access, "tools", ToolCatalog::tools, Tool::name);
    }

    JsonNode listPrompts(AccessPolicy access) {
        return namedList(access, "prompts", ToolCatalog::prompts, Prompt::name);
    }

    /**
     * Every server's tools or prompts under their aggregate names: those the client may use, clashing names
     * left out. Each item is written as the server listed it, only the name changed.
     */
    private <T> JsonNode namedList(AccessPolicy access, String field, BiFunction<ToolCatalog, String, List<T>> items,
                                   Function<T, String> name) {
        ToolCatalog catalog = catalog();
        Map<String, List<String>> clashes = catalog.clashes();
        ObjectNode result = Json.object();
        ArrayNode out = result.putArray(field);
        for (String server : pool.servers()) {
            for (T item : items.apply(catalog, server)) {
                String aggregate = catalog.namespacedName(server, name.apply(item));
                if (!clashes.containsKey(aggregate) && access.allows(aggregate)) {
                    ObjectNode node = (ObjectNode) Json.toTree(item);
                    node.put("name", aggregate);
                    out.add(node);
                }
            }
        }
        return result;
    }

    JsonNode listResources(AccessPolicy access) {
        ToolCatalog catalog = catalog();
        Map<String, List<String>> clashes = catalog.clashes();
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resources");
        for (String server : pool.servers()) {
            if (resourcesAllowed(access, server)) {
                for (Resource resource : catalog.resources(server)) {
                    if (!clashes.containsKey(resource.uri())) {
                        items.add(Json.toTree(resource));
                    }
                }
            }
        }
        return result;
    }

    JsonNode listTemplates(AccessPolicy access) {
        ToolCatalog catalog = catalog();
        ObjectNode result = Json.object();
        ArrayNode items = result.putArray("resourceTemplates");
        for (String server : pool.servers()) {
            if (resourcesAllowed(access, server)) {
                for (ResourceTemplate template : catalog.resourceTemplates(server)) {
                    items.add(Json.toTree(template));
                }
            }
        }
        return result;
    }

    boolean resourcesAllowed(AccessPolicy access, String server) {
        ServerConfig config = pool.config().servers().get(server);
        String prefix = config == null || config.prefix().isEmpty() ? ""
                : config.prefix() + pool.config().gateway().separator();
        return access.allowsResourcesOf(server, prefix);
    }
}
