package io.mcppool.internal.catalog;

import io.mcppool.catalog.CatalogEntry;
import io.mcppool.events.PoolEvents;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.call.UnknownServerException;
import io.mcppool.config.ServerConfig;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's {@link ToolCatalog}: one {@link ServerLists} per server, and the aggregate index over all of
 * them. Internal to mcp-pool (users get it as {@code pool.catalog()}, typed {@link ToolCatalog}).
 *
 * <p>Reads are volatile loads of immutable snapshots: a server's list is handed out as is, so the gateway
 * can answer every client's {@code tools/list} from it without copying. Writers are the listings, on the
 * pool's background threads; the index is rebuilt under a lock when a list really changed, then listeners
 * are told on a background thread.
 */
public final class LiveCatalog implements ToolCatalog {
    private static final Logger log = LoggerFactory.getLogger(ToolCatalog.class);

    private final String separator;
    private final ScheduledExecutorService timer;
    private final Executor background;
    private final ConcurrentHashMap<String, ServerLists> servers = new ConcurrentHashMap<>();
    private final PoolEvents events;
    private final ReentrantLock indexLock = new ReentrantLock();
    /** Clashes already logged, so each is logged once while it lasts; guarded by indexLock. */
    private final Set<String> reportedClashes = new HashSet<>();
    private volatile CatalogIndex index;
    private volatile boolean closed;

    /**
     * @param separator  between a server's prefix and a name in the aggregate
     * @param timer      the pool's timer, for {@code catalogRefresh} (the work itself runs on {@code background})
     * @param background where listings are installed and listeners told
     * @param events     the pool's listeners, told of each change ({@link PoolEvents#catalogChanged})
     */
    public LiveCatalog(String separator, ScheduledExecutorService timer, Executor background, PoolEvents events) {
        this.separator = separator;
        this.events = events;
        this.timer = timer;
        this.background = background;
        this.index = CatalogIndex.build(List.of(), separator);
    }

    /** Adds a server (empty until listed) and starts its {@code catalogRefresh} interval, if it has one. */
    public ServerLists add(ServerConfig config, Lister lister) {
        ServerLists lists = new ServerLists(this, config, lister, background);
        if (servers.putIfAbsent(config.name(), lists) != null) {
            throw new IllegalArgumentException("server '" + config.name() + "' is in the catalog already");
        }
        long every = config.catalogRefresh().toNanos();
        if (every > 0) {
            lists.interval = timer.scheduleWithFixedDelay(() -> runInBackground(lists::intervalElapsed), every, every,
                    TimeUnit.NANOSECONDS);
        }
        return lists;
    }

    /** Drops a server; listeners are told its lists changed (they are empty now). */
    public void remove(String server) {
        ServerLists lists = servers.remove(server);
        if (lists == null) {
            return;
        }
        lists.closed();
        rebuild();
        for (Kind kind : Kind.values()) {
            tell(server, kind);
        }
    }

    /** The server's part, or null. */
    public ServerLists lists(String server) {
        return server == null ? null : servers.get(server);
    }

    /** Stops the intervals; lists stay readable. */
    public void close() {
        closed = true;
        for (ServerLists lists : servers.values()) {
            lists.closed();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** A server's list differs from before: index it, then tell the listeners. */
    void changed(ServerLists lists, Kind kind) {
        log.debug("server '{}': its {} changed", lists.server(), kind.name().toLowerCase(java.util.Locale.ROOT));
        rebuild();
        tell(lists.server(), kind);
    }

    private void rebuild() {
        indexLock.lock();
        try {
            // Read every server's lists under the lock: of two concurrent changes, the later rebuild sees both.
            List<CatalogIndex.ServerView> views = new ArrayList<>(servers.size());
            for (ServerLists lists : servers.values()) {
                views.add(lists.view());
            }
            CatalogIndex next = CatalogIndex.build(views, separator);
            index = next;
            reportClashes(next.clashes());
        } finally {
            indexLock.unlock();
        }
    }

    private void reportClashes(Map<String, List<String>> clashes) {
        reportedClashes.retainAll(clashes.keySet()); // a clash resolved and back again is logged again
        clashes.forEach((name, owners) -> {
            if (reportedClashes.add(name)) {
                log.warn("'{}' is offered by servers {}: it resolves to none of them until their prefixes tell them"
                        + " apart", name, owners);
            }
        });
    }

    /** Tells the listeners, on a background thread (never on a reader, never under a lock); they are isolated. */
    private void tell(String server, Kind kind) {
        runInBackground(() -> events.catalogChanged(server, kind));
    }

    private void runInBackground(Runnable task) {
        try {
            background.execute(task);
        } catch (RejectedExecutionException closing) {
            log.debug("catalog: the pool is closing; a background step is skipped");
        }
    }

    private ServerLists required(String server) {
        ServerLists lists = lists(server);
        if (lists == null) {
            throw new UnknownServerException("no server by this name in the catalog; it has: "
                    + String.join(", ", servers.keySet()), server, null, null, null);
        }
        return lists;
    }

    // ------------------------------------------------------------------ ToolCatalog

    @Override
    public List<Tool> tools(String server) {
        ServerLists lists = lists(server);
        return lists == null ? List.of() : lists.tools();
    }

    @Override
    public Optional<Tool> tool(String server, String name) {
        ServerLists lists = lists(server);
        return lists == null ? Optional.empty() : Optional.ofNullable(lists.tool(name));
    }

    @Override
    public List<Resource> resources(String server) {
        ServerLists lists = lists(server);
        return lists == null ? List.of() : lists.resources();
    }

    @Override
    public List<ResourceTemplate> resourceTemplates(String server) {
        ServerLists lists = lists(server);
        return lists == null ? List.of() : lists.resourceTemplates();
    }

    @Override
    public List<Prompt> prompts(String server) {
        ServerLists lists = lists(server);
        return lists == null ? List.of() : lists.prompts();
    }

    @Override
    public boolean trusted(String server) {
        ServerLists lists = lists(server);
        return lists != null && lists.trusted();
    }

    @Override
    public String namespacedName(String server, String name) {
        return CatalogIndex.aggregateName(required(server).prefix(), separator, name);
    }

    @Override
    public Optional<CatalogEntry> resolveTool(String namespacedName) {
        return namespacedName == null ? Optional.empty() : index.tool(namespacedName);
    }

    @Override
    public Optional<CatalogEntry> resolvePrompt(String namespacedName) {
        return namespacedName == null ? Optional.empty() : index.prompt(namespacedName);
    }

    @Override
    public Optional<String> resolveResource(String uri) {
        return uri == null ? Optional.empty() : index.resource(uri);
    }

    @Override
    public Map<String, List<String>> clashes() {
        return index.clashes();
    }

    @Override
    public CompletableFuture<Void> loaded(String server) {
        try {
            return required(server).firstListing();
        } catch (UnknownServerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> refresh(String server) {
        try {
            return required(server).refreshAll(true);
        } catch (UnknownServerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
