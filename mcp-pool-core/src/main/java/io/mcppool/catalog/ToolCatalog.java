package io.mcppool.catalog;

import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Every server's tools, resources, resource templates and prompts, as last listed (all pages). Filled in the
 * background when a server starts, and listed again when the server says its list changed, on the server's
 * {@code catalogRefresh} interval, and when a session opens to a server whose list may differ. Reads never
 * wait and never reach a server: a server not listed yet has empty lists.
 *
 * <p>Names in an aggregate (the gateway) are {@code <prefix><separator><name>}: the prefix is the server's
 * {@code prefix} (its name by default; none when empty) and the separator the gateway's ({@code __}).
 */
public interface ToolCatalog {

    /** What changed. Resource templates change with resources. */
    enum Kind {
        /** The server's tools. */
        TOOLS,
        /** The server's resources and resource templates. */
        RESOURCES,
        /** The server's prompts. */
        PROMPTS
    }

    /** The server's tools as last listed, all pages; empty for a server not listed yet or not known. */
    List<Tool> tools(String server);

    /** One of the server's tools by its own name (not the aggregate one). */
    Optional<Tool> tool(String server, String name);

    /** The server's resources as last listed, all pages. */
    List<Resource> resources(String server);

    /** The server's resource templates as last listed, all pages. */
    List<ResourceTemplate> resourceTemplates(String server);

    /** The server's prompts as last listed, all pages. */
    List<Prompt> prompts(String server);

    /** Whether the server is trusted, so its annotations may decide retries and caching. */
    boolean trusted(String server);

    /** The aggregate name of a server's tool or prompt. */
    String namespacedName(String server, String name);

    /** The server and upstream tool a namespaced name stands for, if some server lists it. */
    Optional<CatalogEntry> resolveTool(String namespacedName);

    /** The server and upstream prompt a namespaced name stands for. */
    Optional<CatalogEntry> resolvePrompt(String namespacedName);

    /** The server that lists a resource with this URI, or whose template matches it. */
    Optional<String> resolveResource(String uri);

    /**
     * Aggregate names more than one server claims (tools, prompts, resource URIs), each with the servers that
     * claim it. None of them is served until the clash is resolved (prefixes): never silently shadowed.
     */
    Map<String, List<String>> clashes();

    /** Completes when the server has been listed once (even if the listing failed). */
    CompletableFuture<Void> loaded(String server);

    /** Lists the server again now; completes when done. */
    CompletableFuture<Void> refresh(String server);


}
