package io.mcppool.internal.catalog;

import io.mcppool.catalog.ToolCatalog;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.ProtocolErrorException;
import io.mcppool.config.PoolMode;
import io.mcppool.config.ServerConfig;
import io.mcppool.internal.protocol.InitializeResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import io.mcppool.protocol.RpcErrorException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's part of the catalog: its lists as last listed, what its sessions declare, and when to list
 * again. Internal to mcp-pool: the server it belongs to feeds it ({@link #sessionJoined}, {@link #listChanged})
 * and reads it on the call path ({@link #tool}); everyone else reads through {@link ToolCatalog}.
 *
 * <p>Each list is an immutable snapshot in a volatile field: reads never wait. A listing installs a new
 * snapshot only when the content differs, so an unchanged list keeps its instance and nobody is told.
 */
public final class ServerLists {
    private static final Logger log = LoggerFactory.getLogger(ToolCatalog.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private record ToolList(List<Tool> list, Map<String, Tool> byName) {
    }

    private record ResourceLists(List<Resource> resources, List<ResourceTemplate> templates) {
    }

    private final LiveCatalog catalog;
    private final String server;
    private final String prefix;
    private final boolean trusted;
    /**
     * Whether a session joining lists the server. Not for sticky servers: their sessions belong to affinity
     * keys, and a listing would take a key's place (they are listed when asked, then kept up to date).
     */
    private final boolean listsOnJoin;
    private final Lister lister;
    private final Executor background;
    private final Refresher toolsRefresher;
    private final Refresher resourcesRefresher;
    private final Refresher promptsRefresher;
    /** Failed listings in a row, by kind: the first is logged at WARN, the rest at DEBUG. */
    private final AtomicIntegerArray failures = new AtomicIntegerArray(ToolCatalog.Kind.values().length);
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    /** Null until listed once (reads then see empty lists). */
    private volatile ToolList tools;
    private volatile ResourceLists resources;
    private volatile List<Prompt> prompts;
    /** The latest session's declared capabilities; null before any session joined (then everything is listed). */
    private volatile JsonNode capabilities;
    private volatile boolean joined;
    volatile ScheduledFuture<?> interval;

    ServerLists(LiveCatalog catalog, ServerConfig config, Lister lister, Executor background) {
        this.catalog = catalog;
        this.server = config.name();
        this.prefix = config.prefix();
        this.trusted = config.trusted();
        this.listsOnJoin = config.pool().mode() != PoolMode.STICKY;
        this.lister = lister;
        this.background = background;
        this.toolsRefresher = new Refresher(this::listTools, background);
        this.resourcesRefresher = new Refresher(this::listResources, background);
        this.promptsRefresher = new Refresher(this::listPrompts, background);
    }

    public String server() {
        return server;
    }

    public boolean trusted() {
        return trusted;
    }

    String prefix() {
        return prefix;
    }

    // ------------------------------------------------------------------ reads (never wait)

    public boolean loaded(ToolCatalog.Kind kind) {
        return switch (kind) {
            case TOOLS -> tools != null;
            case RESOURCES -> resources != null;
            case PROMPTS -> prompts != null;
        };
    }

    public List<Tool> tools() {
        ToolList t = tools;
        return t == null ? List.of() : t.list();
    }

    /** The tool by its upstream name, or null (also while the list is not loaded). */
    public Tool tool(String name) {
        ToolList t = tools;
        return t == null || name == null ? null : t.byName().get(name);
    }

    /**
     * Whether a call to {@code name} can be refused without asking the server: the tool list is loaded, lacks
     * it, and is not being listed again (a notice that the list changed may be adding it right now).
     */
    public boolean lacksTool(String name) {
        return tools != null && tool(name) == null && !toolsRefresher.busy();
    }

    public List<Resource> resources() {
        ResourceLists r = resources;
        return r == null ? List.of() : r.resources();
    }

    public List<ResourceTemplate> resourceTemplates() {
        ResourceLists r = resources;
        return r == null ? List.of() : r.templates();
    }

    public List<Prompt> prompts() {
        List<Prompt> p = prompts;
        return p == null ? List.of() : p;
    }

    CatalogIndex.ServerView view() {
        return new CatalogIndex.ServerView(server, prefix, trusted, tools(), resources(), resourceTemplates(), prompts());
    }

    // ------------------------------------------------------------------ triggers

    /** A session finished its handshake: remember what it declares, and list (again) to see what changed. */
    public void sessionJoined(InitializeResult init) {
        capabilities = init == null ? null : init.capabilities();
        joined = true;
        if (listsOnJoin) {
            quietly(refreshAll(true));
        }
    }

    /**
     * A session could not be opened. Before any session ever joined this counts as the first listing attempt,
     * so {@link #loadedFuture()} does not wait for a server that is down.
     */
    public void sessionOpenFailed() {
        if (!joined) {
            loaded.complete(null);
        }
    }

    /** The server said a list changed: list it again (once, however many say so while a listing runs). */
    public void listChanged(ToolCatalog.Kind kind) {
        if (listsOnJoin || loaded(kind)) {
            quietly(refresher(kind).request(true));
        }
    }

    /** The {@code catalogRefresh} interval passed. */
    void intervalElapsed() {
        if (listsOnJoin || loaded(ToolCatalog.Kind.TOOLS) || loaded(ToolCatalog.Kind.RESOURCES)
                || loaded(ToolCatalog.Kind.PROMPTS)) {
            quietly(refreshAll(false));
        }
    }

    /**
     * Lists everything now, for a server where no session opens by itself (sticky, or {@code minSessions: 0}):
     * the listing opens one, so the catalog and a gateway's clients know the server from the start.
     */
    public CompletableFuture<Void> listNow() {
        CompletableFuture<Void> all = refreshAll(false);
        quietly(all);
        return all;
    }

    /** The list as it is if loaded, else a listing (a running one will do); fails when the listing fails. */
    public CompletableFuture<Void> load(ToolCatalog.Kind kind) {
        return loaded(kind) ? CompletableFuture.completedFuture(null) : refresher(kind).request(false);
    }

    /** Lists everything the server declares; completes when all are done, failed if any listing failed. */
    CompletableFuture<Void> refreshAll(boolean fresh) {
        CompletableFuture<Void> all = CompletableFuture.allOf(toolsRefresher.request(fresh),
                resourcesRefresher.request(fresh), promptsRefresher.request(fresh));
        all.whenComplete((v, e) -> loaded.complete(null));
        return all;
    }

    /**
     * Completes when the server's first listing ended (listed or failed), its first session could not be opened,
     * or it was removed: from then on the catalog knows its tools, or knows it cannot know them yet. A copy: a
     * caller may cancel or time it out.
     */
    public CompletableFuture<Void> firstListing() {
        return loaded.copy();
    }

    /**
     * Completes when the first listing has ended and no listing of the tools is under way (one a list-changed
     * notice started may be adding a tool): then {@link #lacksTool} answers for the list as the server has it.
     */
    public CompletableFuture<Void> toolsSettled() {
        return loaded.thenCompose(v -> toolsRefresher.idle());
    }

    void closed() {
        ScheduledFuture<?> f = interval;
        if (f != null) {
            f.cancel(false);
        }
        loaded.complete(null);
    }

    private Refresher refresher(ToolCatalog.Kind kind) {
        return switch (kind) {
            case TOOLS -> toolsRefresher;
            case RESOURCES -> resourcesRefresher;
            case PROMPTS -> promptsRefresher;
        };
    }

    /** Background triggers: the failure was logged where it happened. */
    private static void quietly(CompletableFuture<Void> f) {
        f.exceptionally(e -> null);
    }

    // ------------------------------------------------------------------ listings (one per kind at a time)

    private boolean declares(String capability) {
        JsonNode caps = capabilities;
        return caps == null || caps.hasNonNull(capability);
    }

    private CompletableFuture<Void> listTools() {
        if (!declares("tools")) {
            installTools(List.of());
            return DONE;
        }
        return installed(ToolCatalog.Kind.TOOLS, absentIsEmpty(lister.list(McpMethods.TOOLS_LIST, "tools")),
                items -> installTools(parse(items, Tool.class, Tool::name, "name")));
    }

    private CompletableFuture<Void> listResources() {
        if (!declares("resources")) {
            installResources(List.of(), List.of());
            return DONE;
        }
        CompletableFuture<List<JsonNode>> listed = absentIsEmpty(lister.list(McpMethods.RESOURCES_LIST, "resources"));
        CompletableFuture<List<JsonNode>> templates = absentIsEmpty(
                lister.list(McpMethods.RESOURCES_TEMPLATES_LIST, "resourceTemplates"));
        return installed(ToolCatalog.Kind.RESOURCES, listed.thenCombine(templates, List::of),
                both -> installResources(parse(both.get(0), Resource.class, Resource::uri, "uri"),
                        parse(both.get(1), ResourceTemplate.class, ResourceTemplate::uriTemplate,
                                "uriTemplate")));
    }

    private CompletableFuture<Void> listPrompts() {
        if (!declares("prompts")) {
            installPrompts(List.of());
            return DONE;
        }
        return installed(ToolCatalog.Kind.PROMPTS, absentIsEmpty(lister.list(McpMethods.PROMPTS_LIST, "prompts")),
                items -> installPrompts(parse(items, Prompt.class, Prompt::name, "name")));
    }

    /** Installs what was listed on a background thread (a listing ends on a transport's reader). */
    private <T> CompletableFuture<Void> installed(ToolCatalog.Kind kind, CompletableFuture<T> listed,
                                                  java.util.function.Consumer<T> install) {
        return listed.handleAsync((value, error) -> {
            try {
                if (error != null) {
                    throw error instanceof CompletionException c ? c : new CompletionException(error);
                }
                install.accept(value);
                failures.set(kind.ordinal(), 0);
                return null;
            } catch (RuntimeException e) {
                failed(kind, e);
                throw e instanceof CompletionException c ? c : new CompletionException(e);
            }
        }, background);
    }

    /** A server that answers "method not found" has nothing of that kind. */
    private static CompletableFuture<List<JsonNode>> absentIsEmpty(CompletableFuture<List<JsonNode>> listed) {
        return listed.exceptionallyCompose(e -> methodNotFound(e) ? CompletableFuture.completedFuture(List.of())
                : CompletableFuture.failedFuture(e));
    }

    static boolean methodNotFound(Throwable e) {
        Throwable t = unwrap(e);
        JsonRpcError error = t instanceof ProtocolErrorException p ? p.error().orElse(null)
                : t instanceof RpcErrorException r ? r.error() : null;
        return error != null && error.code() == JsonRpcError.METHOD_NOT_FOUND;
    }

    private void failed(ToolCatalog.Kind kind, Throwable error) {
        Throwable cause = unwrap(error);
        int inARow = failures.incrementAndGet(kind.ordinal());
        String what = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (catalog.isClosed() || inARow > 1) {
            log.debug("server '{}': listing its {} failed again ({} in a row); the catalog keeps the last list: {}",
                    server, what, inARow, cause.toString());
        } else {
            log.warn("server '{}': listing its {} failed; the catalog keeps the last list and lists again on the next"
                    + " change notice, new session or refresh: {}", server, what, cause.getMessage());
        }
    }

    /** Each item bound to its record; an item without its key ({@code name}, {@code uri}) makes the page malformed. */
    private static <T> List<T> parse(List<JsonNode> items, Class<T> type, Function<T, String> key, String keyName) {
        List<T> out = new ArrayList<>(items.size());
        for (JsonNode item : items) {
            T value = Json.fromTree(item, type);
            if (key.apply(value) == null) {
                throw new MalformedMessageException("a listed " + type.getSimpleName() + " has no " + keyName + ": "
                        + Json.write(item));
            }
            out.add(value);
        }
        return out;
    }

    // ------------------------------------------------------------------ installing (one writer per kind)

    private void installTools(List<Tool> fresh) {
        ToolList old = tools;
        List<Tool> before = old == null ? List.of() : old.list();
        if (sameContent(before, fresh)) {
            if (old == null) {
                tools = new ToolList(List.of(), Map.of());
            }
            return;
        }
        Map<String, Tool> byName = new HashMap<>(Math.max(16, fresh.size() * 4 / 3 + 1));
        for (Tool t : fresh) {
            byName.putIfAbsent(t.name(), t);
        }
        tools = new ToolList(List.copyOf(fresh), byName);
        catalog.changed(this, ToolCatalog.Kind.TOOLS);
    }

    private void installResources(List<Resource> fresh, List<ResourceTemplate> freshTemplates) {
        ResourceLists old = resources;
        List<Resource> before = old == null ? List.of() : old.resources();
        List<ResourceTemplate> beforeTemplates = old == null ? List.of() : old.templates();
        if (sameContent(before, fresh) && sameContent(beforeTemplates, freshTemplates)) {
            if (old == null) {
                resources = new ResourceLists(List.of(), List.of());
            }
            return;
        }
        resources = new ResourceLists(List.copyOf(fresh), List.copyOf(freshTemplates));
        catalog.changed(this, ToolCatalog.Kind.RESOURCES);
    }

    private void installPrompts(List<Prompt> fresh) {
        List<Prompt> old = prompts;
        List<Prompt> before = old == null ? List.of() : old;
        if (sameContent(before, fresh)) {
            if (old == null) {
                prompts = List.of();
            }
            return;
        }
        prompts = List.copyOf(fresh);
        catalog.changed(this, ToolCatalog.Kind.PROMPTS);
    }

    /**
     * Whether two listings hold the same entries, by content (records compare their JSON deeply), in any
     * order: a server that lists the same things in another order (after a restart, say) has not changed.
     */
    static boolean sameContent(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        if (a.equals(b)) {
            return true;
        }
        Map<Object, Integer> counts = new HashMap<>(a.size() * 4 / 3 + 1);
        for (Object o : a) {
            counts.merge(o, 1, Integer::sum);
        }
        for (Object o : b) {
            Integer n = counts.get(o);
            if (n == null) {
                return false;
            }
            if (n == 1) {
                counts.remove(o);
            } else {
                counts.put(o, n - 1);
            }
        }
        return counts.isEmpty();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
