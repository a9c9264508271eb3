package io.mcppool.gateway.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.mcppool.McpPool;
import io.mcppool.config.FrontDoorSettings;
import io.mcppool.config.GatewaySettings;
import io.mcppool.config.PoolMode;
import io.mcppool.gateway.auth.AuthFailures;
import io.mcppool.gateway.auth.RateLimiter;
import io.mcppool.gateway.mcp.ClientSessions;
import io.mcppool.gateway.mcp.GatewayDispatcher;
import io.mcppool.gateway.mcp.GatewayEvents;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's embedded HTTP server (Jetty 12, handlers on virtual threads): the MCP endpoint, and the
 * operations endpoints beside it. Serves one {@link McpPool}, whose servers may change under it (reload).
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final McpPool pool;
    private final GatewaySettings settings;
    private final ClientSessions sessions;
    private final Server jetty;
    private final ServerConnector connector;
    private final McpHttpHandler mcp;
    private final FrontDoor frontDoor;
    private final ScheduledThreadPoolExecutor timer;
    /** The connection limit in force (from {@code gateway.maxConnections} or the open-file limit). */
    private final int maxConnections;
    /** The port bound at start: the connector forgets it once stopped (-2), and the URI must still name it. */
    private volatile int port = -1;

    private GatewayServer(McpPool pool, GatewaySettings settings, RequestChecks checks, Handler ops,
                          GatewayEvents events) {
        this.pool = pool;
        this.settings = settings;
        this.sessions = new ClientSessions(new GatewayDispatcher(pool, settings.limits(), events),
                settings.maxSessions(), settings.sessionIdleTimeout());
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "mcp-pool-gateway-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("mcp-pool-http");
        threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("mcp-pool-http-vt-", 0).factory()));
        this.jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        jetty.addConnector(connector);
        FrontDoorSettings door = settings.frontDoor();
        this.maxConnections = door.connectionLimit(openFileLimit());
        connector.addBean(new ConnectionGate(connector, maxConnections, door.idleTimeoutAtConnectionLimit(),
                door.acceptRate()));
        this.mcp = new McpHttpHandler(sessions, settings.maxBodyBytes(), door, this::rateLimiter, timer,
                this::anySticky, settings.limits(), events);
        this.frontDoor = new FrontDoor(new PathRouter(settings.path(), mcp, ops), settings.path(),
                settings.maxBodyBytes(), checks, AuthFailures.of(door), events);
        jetty.setHandler(frontDoor);
        jetty.setErrorHandler(new StableErrorHandler()); // no exception text in an error body
        jetty.setStopTimeout(0);
    }

    /** How long a connection may sit idle (no request in progress) below the connection limit. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** The process's open-file limit ({@code ulimit -n}), or -1 where the platform does not say. */
    static long openFileLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : -1;
    }

    /**
     * Starts serving; the pool is the caller's and outlives the server. {@code events} hears of clients that reach
     * the limits of {@link GatewaySettings#limits()}.
     */
    public static GatewayServer start(McpPool pool, GatewaySettings settings, RequestChecks checks, Handler ops,
                                     GatewayEvents events) {
        GatewayServer server = new GatewayServer(pool, settings, checks, ops, events);
        try {
            server.jetty.start();
            server.port = server.connector.getLocalPort();
        } catch (Exception e) {
            server.timer.shutdownNow();
            throw new IllegalStateException("could not start the gateway on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        long sweep = Math.max(1, Math.min(30, settings.sessionIdleTimeout().toSeconds() / 4));
        server.timer.scheduleWithFixedDelay(server.sessions::expireIdle, sweep, sweep, TimeUnit.SECONDS);
        try {
            pool.addEventListener(server.sessions);
        } catch (UnsupportedOperationException e) {
            log.warn("the pool has no catalog: clients will not be told of list changes");
        }
        log.info("mcp-pool gateway serving {} server(s) at {} (at most {} connections)", pool.servers().size(),
                server.mcpUri(), server.maxConnections);
        return server;
    }

    /** The clients' rate limiter of the checks in force. */
    private RateLimiter rateLimiter() {
        return frontDoor.checks().rateLimiter();
    }

    private boolean anySticky() {
        return pool.config().servers().values().stream().anyMatch(s -> s.pool().mode() == PoolMode.STICKY);
    }

    /** Takes new request checks (auth, limits, origins) from a reloaded config. */
    public void checks(RequestChecks next) {
        frontDoor.checks(next);
    }

    /** The connection limit in force: {@code gateway.maxConnections}, or half the open-file limit. */
    public int maxConnections() {
        return maxConnections;
    }

    public GatewaySettings settings() {
        return settings;
    }

    public int port() {
        return port;
    }

    public URI mcpUri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + port() + settings.path());
    }

    public ClientSessions sessions() {
        return sessions;
    }

    public ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * Stops taking new sessions, lets in-flight calls finish for up to {@code grace}, then ends every client
     * session and stops. The pool is not closed.
     */
    public void drainAndStop(Duration grace) {
        mcp.drain();
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && sessions.all().stream().anyMatch(s -> !s.isClosed() && s.hasInFlight())) {
            try {
                Thread.sleep(20); // polling a handful of sessions; the wait is bounded by the grace period
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public void close() {
        try {
            pool.removeEventListener(sessions);
        } catch (UnsupportedOperationException e) {
            // no catalog, no listener
        }
        sessions.endAll();
        try {
            jetty.stop();
        } catch (Exception e) {
            log.warn("stopping the gateway's HTTP server: {}", e.toString());
        }
        timer.shutdownNow();
    }
}
