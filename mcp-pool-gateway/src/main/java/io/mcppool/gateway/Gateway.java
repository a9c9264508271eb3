package io.mcppool.gateway;

import io.mcppool.config.InvalidConfigException;
import io.mcppool.McpPool;
import io.mcppool.config.ReloadResult;
import io.mcppool.config.ConfigLoader;
import io.mcppool.config.GatewaySettings;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.ops.GatewayMetrics;
import io.mcppool.gateway.ops.GatewayView;
import io.mcppool.gateway.ops.OpsHandler;
import io.mcppool.gateway.ops.RecentErrors;
import io.mcppool.gateway.server.GatewayServer;
import io.mcppool.gateway.server.RequestChecks;
import io.mcppool.metrics.McpPoolMetrics;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.McpMethods;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: the pool, its HTTP server with the MCP endpoint and the operations endpoints, and
 * reloads of its config file. {@code mcp-pool serve} is this class plus signal handling; tests and
 * embedders start it directly.
 */
public final class Gateway implements GatewayView, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final McpPool pool;
    private final Optional<Path> file;
    private final PrometheusMeterRegistry registry;
    private final McpPoolMetrics metrics;
    private final RecentErrors recentErrors = new RecentErrors();
    private final GatewayServer server;
    private final Instant startedAt = Instant.now();
    private final ReentrantLock reloadLock = new ReentrantLock();
    private final ConfigWatcher watcher;
    private volatile RequestChecks checks;
    private volatile String lastReloadError;
    private volatile boolean draining;

    private Gateway(McpPoolConfig config, Optional<Path> file) {
        // First, before any process or port: a config whose keys serve cannot use starts nothing.
        RequestChecks prepared = prepare(config);
        this.file = file;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Both listen from the first session on, so start-up failures are counted and kept.
        this.metrics = McpPoolMetrics.builder().settings(config.metrics()).build(registry);
        this.pool = McpPool.create(config, List.of(metrics, recentErrors));
        metrics.bindTo(pool);
        this.checks = prepared;
        GatewayServer started;
        try {
            // The server's front door guards the operations endpoints as it does the MCP endpoint.
            started = GatewayServer.start(pool, config.gateway(), checks, new OpsHandler(this, registry, recentErrors),
                    new GatewayMetrics(registry));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        this.server = started;
        this.watcher = file.isPresent() && config.gateway().watchConfig()
                ? ConfigWatcher.start(file.get(), this::reload) : null;
    }

    /** Starts the pool and serves it; {@code file} (if any) is what reloads read again. */
    public static Gateway start(McpPoolConfig config, Optional<Path> file) {
        return new Gateway(config, file);
    }

    public static Gateway start(Path file) {
        return start(ConfigLoader.load(file), Optional.of(file));
    }

    /**
     * Builds what the gateway needs from a config besides the pool, without starting anything: the request checks
     * (Host and Origin guard, the authenticator with its API keys, its PEM public keys and its JWKS file, the rate
     * limiter). {@code serve}, every reload and {@code check-config} call this, so all three refuse the same configs.
     *
     * @throws InvalidConfigException naming the setting, when a part cannot be built (a key file it cannot read)
     */
    public static RequestChecks prepare(McpPoolConfig config) {
        try {
            return RequestChecks.of(config.gateway());
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            throw new InvalidConfigException(config.source(), List.of(String.valueOf(e.getMessage())));
        }
    }

    public URI mcpUri() {
        return server.mcpUri();
    }

    public URI baseUri() {
        return mcpUri().resolve("/");
    }

    public int port() {
        return server.port();
    }

    public GatewayServer server() {
        return server;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Reads the config file again and moves to it: servers added, removed (after draining) or changed; new
     * credentials, allow lists and limits. All or nothing: the new config is read and checked and everything the
     * gateway builds from it (its keys, PEM and JWKS files) is built first; only then does the gateway switch, the
     * request checks first (a revoked key stops working before anything else changes), then the pool. A config
     * that fails anywhere is rejected whole: the running one stays, and the error is logged and shown in
     * {@code /api/status} and on the status page until a reload succeeds. The bind address and port need a restart.
     */
    public Optional<ReloadResult> reload() {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        reloadLock.lock();
        try {
            McpPoolConfig next;
            RequestChecks nextChecks;
            try {
                next = ConfigLoader.load(file.get());
                nextChecks = prepare(next);
            } catch (InvalidConfigException | java.io.UncheckedIOException e) {
                return rejected(e.getMessage());
            } catch (RuntimeException e) {
                log.error("reload of {}: could not build the new config", file.get(), e);
                return rejected("could not build the new config: " + e);
            }
            GatewaySettings running = server.settings();
            if (!next.gateway().host().equals(running.host()) || next.gateway().port() != running.port()
                    || !next.gateway().path().equals(running.path())) {
                log.warn("reload: gateway host, port and path apply at the next start only");
            }
            RequestChecks before = checks;
            checks = nextChecks;
            server.checks(nextChecks);
            ReloadResult result;
            try {
                result = pool.reconfigure(next, next.gateway().drainTimeout());
            } catch (RuntimeException e) {
                // The pool refused (it is closing): the checks go back, so nothing of the new config stays.
                checks = before;
                server.checks(before);
                log.error("reload of {}: the pool could not move to the new config", file.get(), e);
                return rejected("the pool could not move to the new config: " + e.getMessage());
            }
            // Allow lists reach open sessions through each request's own credentials; revoked credentials end theirs.
            server.sessions().endUnless(ClientIdentity.admittedBy(next.gateway()));
            lastReloadError = null;
            if (!result.nothingChanged()) {
                // Servers came or went: every list may differ. (The catalog also tells once it has listed them.)
                for (String method : List.of(McpMethods.TOOLS_LIST_CHANGED, McpMethods.RESOURCES_LIST_CHANGED,
                        McpMethods.PROMPTS_LIST_CHANGED)) {
                    server.sessions().broadcast(new JsonRpcNotification(method, null));
                }
            }
            return Optional.of(result);
        } finally {
            reloadLock.unlock();
        }
    }

    private Optional<ReloadResult> rejected(String why) {
        lastReloadError = why;
        log.error("reload of {} rejected; the running config stays:\n{}", file.get(), why);
        return Optional.empty();
    }

    /** SIGTERM: no new sessions, in-flight calls finish for up to {@code drainTimeout}, then everything stops. */
    public void drainAndStop() {
        draining = true;
        if (watcher != null) {
            watcher.close();
        }
        server.drainAndStop(pool.config().gateway().drainTimeout());
        pool.close();
        metrics.close();
    }

    @Override
    public void close() {
        draining = true;
        if (watcher != null) {
            watcher.close();
        }
        server.close();
        pool.close();
        metrics.close();
    }

    // ------------------------------------------------------------------ GatewayView

    @Override
    public McpPool pool() {
        return pool;
    }

    @Override
    public int clientSessions() {
        return server.sessions().size();
    }

    @Override
    public Map<String, List<String>> clashes() {
        try {
            return pool.catalog().clashes();
        } catch (UnsupportedOperationException e) {
            return Map.of();
        }
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public String configSource() {
        return pool.config().source();
    }

    @Override
    public Optional<String> lastReloadError() {
        return Optional.ofNullable(lastReloadError);
    }

    @Override
    public boolean draining() {
        return draining;
    }

    /** How long a SIGTERM lets calls finish. */
    public Duration drainTimeout() {
        return pool.config().gateway().drainTimeout();
    }
}
