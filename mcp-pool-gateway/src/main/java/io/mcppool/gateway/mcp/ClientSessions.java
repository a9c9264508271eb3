package io.mcppool.gateway.mcp;

import io.mcppool.cache.CatalogListener;
import io.mcppool.cache.ToolCatalog;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.McpMethods;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's client sessions: created at {@code initialize}, found by id, ended by the client
 * ({@code DELETE}), by idleness or at shutdown. Tells every session when the catalog changes, so clients
 * list again.
 */
public final class ClientSessions implements CatalogListener {
    private static final Logger log = LoggerFactory.getLogger(ClientSessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final GatewayDispatcher dispatcher;
    private final ConcurrentHashMap<String, ClientSession> byId = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int maxSessions;
    private final long idleTimeoutNanos;

    public ClientSessions(GatewayDispatcher dispatcher, int maxSessions, Duration idleTimeout) {
        this.dispatcher = dispatcher;
        this.maxSessions = maxSessions;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    public GatewayDispatcher dispatcher() {
        return dispatcher;
    }

    /** A new session for {@code client}, or empty when {@code maxSessions} are open. */
    public Optional<ClientSession> open(ClientIdentity client) {
        if (count.incrementAndGet() > maxSessions) {
            count.decrementAndGet();
            return Optional.empty();
        }
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        ClientSession session = new ClientSession(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), client,
                dispatcher.limits(), dispatcher.events());
        byId.put(session.id(), session);
        return Optional.of(session);
    }

    /** The session with this id if it belongs to {@code client}: another client's id is as unknown as a made-up one. */
    public Optional<ClientSession> find(String id, ClientIdentity client) {
        ClientSession s = id == null ? null : byId.get(id);
        if (s == null || s.isClosed() || !s.client().name().equals(client.name())) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public boolean end(ClientSession session) {
        if (byId.remove(session.id(), session)) {
            count.decrementAndGet();
            dispatcher.sessionEnded(session);
            return true;
        }
        return false;
    }

    public int size() {
        return count.get();
    }

    public Collection<ClientSession> all() {
        return byId.values();
    }

    /** Ends sessions idle past the timeout; one with an open GET stream counts as in use. */
    public int expireIdle() {
        long now = System.nanoTime();
        int ended = 0;
        for (ClientSession s : byId.values()) {
            if (!s.hasOpenStream() && s.inFlight.isEmpty() && s.idleNanos(now) > idleTimeoutNanos && end(s)) {
                ended++;
            }
        }
        if (ended > 0) {
            log.debug("ended {} idle client session(s)", ended);
        }
        return ended;
    }

    public void endAll() {
        byId.values().forEach(this::end);
    }

    @Override
    public void changed(String server, ToolCatalog.Kind kind) {
        String method = switch (kind) {
            case TOOLS -> McpMethods.TOOLS_LIST_CHANGED;
            case RESOURCES -> McpMethods.RESOURCES_LIST_CHANGED;
            case PROMPTS -> McpMethods.PROMPTS_LIST_CHANGED;
        };
        broadcast(new JsonRpcNotification(method, null));
    }

    public void broadcast(JsonRpcNotification n) {
        for (ClientSession s : byId.values()) {
            s.notify(n);
        }
    }
}
