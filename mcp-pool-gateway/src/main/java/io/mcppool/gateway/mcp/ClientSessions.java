package io.mcppool.gateway.mcp;

import io.mcppool.events.PoolEvents;
import io.mcppool.catalog.ToolCatalog;
import io.mcppool.config.ClientQuotas;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.McpMethods;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's client sessions: created at {@code initialize}, found by id, ended by the client
 * ({@code DELETE}), by idleness, to make room for another, by a reload that revokes their credential, or at
 * shutdown. Tells every session when the catalog changes, so clients list again.
 *
 * <p>Bounded twice: {@code maxSessions} for the gateway, and {@link ClientQuotas#maxSessionsPerClient()} for each
 * client (by name; not for the anonymous client, which is every client while auth is off). A new session past either
 * makes room by ending an idle session (one without a call in flight; an open GET stream does not keep a session):
 * past its client's quota, that client's least recently used one; past the gateway's limit, the least recently
 * used one of the client that holds the most. When none is idle the new one is refused ({@link Refusal}: 429 for the
 * client's quota, 503 for the gateway's), with a {@code Retry-After}. Opening and ending take one lock, for the
 * bookkeeping only; ending a session's upstream work happens outside it.
 */
public final class ClientSessions implements PoolEvents {
    private static final Logger log = LoggerFactory.getLogger(ClientSessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What {@link #open} gives: the new session, or why there is none. */
    public record Opening(ClientSession session, Refusal refusal) {
        public Optional<ClientSession> opened() {
            return Optional.ofNullable(session);
        }
    }

    /** What {@link #openStream} did. */
    public enum StreamOpening { OPENED, ALREADY_OPEN, CLIENT_QUOTA }

    private final GatewayDispatcher dispatcher;
    private final ConcurrentHashMap<String, ClientSession> byId = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int maxSessions;
    private final ClientQuotas quotas;
    private final long idleTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Each named client's open sessions, oldest first (under the lock). */
    private final Map<String, Set<ClientSession>> byClient = new HashMap<>();

    public ClientSessions(GatewayDispatcher dispatcher, int maxSessions, Duration idleTimeout) {
        this.dispatcher = dispatcher;
        this.maxSessions = maxSessions;
        this.quotas = dispatcher.limits().quotas();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    public GatewayDispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * A new session for {@code client}, made room for if need be (see the class comment), or why there is none.
     * Sessions ended to make room are ended before this returns.
     */
    public Opening open(ClientIdentity client) {
        List<ClientSession> evicted = new ArrayList<>(2);
        Opening opening;
        lock.lock();
        try {
            opening = openLocked(client, evicted);
        } finally {
            lock.unlock();
        }
        for (ClientSession s : evicted) {
            log.debug("client session {} of '{}' ended to make room for a new one", s.id(), s.client().name());
            ended(s, GatewayEvents.EVICTED);
        }
        if (opening.refusal() != null) {
            dispatcher.events().refused(opening.refusal().quota());
        }
        return opening;
    }

    private Opening openLocked(ClientIdentity client, List<ClientSession> evicted) {
        boolean quota = !client.anonymous();
        Set<ClientSession> own = quota ? byClient.get(client.name()) : null;
        if (own != null && own.size() >= quotas.maxSessionsPerClient()) {
            ClientSession victim = leastRecentlyUsedIdle(own);
            if (victim == null) {
                return new Opening(null, new Refusal(429, Refusal.CALLS_RETRY_AFTER_SECONDS,
                        GatewayEvents.SESSIONS_PER_CLIENT, "Client '" + client.name() + "' has "
                        + quotas.maxSessionsPerClient() + " sessions open, each with a call in flight"
                        + " (gateway.maxSessionsPerClient); end one (DELETE) or try again later"));
            }
            removeLocked(victim);
            evicted.add(victim);
        }
        if (count.get() >= maxSessions) {
            ClientSession victim = fairVictim();
            if (victim == null) {
                return new Opening(null, new Refusal(503, Refusal.SESSIONS_RETRY_AFTER_SECONDS,
                        GatewayEvents.GATEWAY_SESSIONS, "Too many client sessions: all " + maxSessions
                        + " have a call in flight (gateway.maxSessions); try again later"));
            }
            removeLocked(victim);
            evicted.add(victim);
        }
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        ClientSession session = new ClientSession(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), client,
                dispatcher.limits(), dispatcher.events());
        byId.put(session.id(), session);
        count.incrementAndGet();
        if (quota) {
            byClient.computeIfAbsent(client.name(), k -> new LinkedHashSet<>()).add(session);
        }
        return new Opening(session, null);
    }

    /**
     * The session to end for a new one on a full gateway: the least recently used idle session of the client that
     * holds the most sessions (anonymous sessions count as one client), or of the next one if that client has none
     * idle. Null when no session is idle.
     */
    private ClientSession fairVictim() {
        List<Collection<ClientSession>> clients = new ArrayList<>(byClient.values());
        List<ClientSession> anonymous = byId.values().stream().filter(s -> s.client().anonymous() && !s.isClosed())
                .toList();
        if (!anonymous.isEmpty()) {
            clients.add(anonymous);
        }
        clients.sort(Comparator.comparingInt((Collection<ClientSession> c) -> c.size()).reversed());
        for (Collection<ClientSession> sessions : clients) {
            ClientSession victim = leastRecentlyUsedIdle(sessions);
            if (victim != null) {
                return victim;
            }
        }
        return null;
    }

    private static ClientSession leastRecentlyUsedIdle(Collection<ClientSession> sessions) {
        long now = System.nanoTime();
        ClientSession oldest = null;
        long oldestIdle = Long.MIN_VALUE;
        for (ClientSession s : sessions) {
            long idle = s.idleNanos(now);
            if (!s.isClosed() && !s.hasInFlight() && idle > oldestIdle) {
                oldest = s;
                oldestIdle = idle;
            }
        }
        return oldest;
    }

    /** Under the lock: takes the session out of the books; false if it was out already. */
    private boolean removeLocked(ClientSession session) {
        if (!byId.remove(session.id(), session)) {
            return false;
        }
        count.decrementAndGet();
        Set<ClientSession> own = byClient.get(session.client().name());
        if (own != null && own.remove(session) && own.isEmpty()) {
            byClient.remove(session.client().name());
        }
        return true;
    }

    /**
     * The session with this id if it belongs to {@code client}: opened with the same credential (the same API key;
     * a JWT of the same issuer and subject) under the same client name. Any other id is as unknown as a made-up one,
     * so a request learns nothing about sessions it does not own.
     */
    public Optional<ClientSession> find(String id, ClientIdentity client) {
        ClientSession s = id == null ? null : byId.get(id);
        if (s == null || s.isClosed() || !s.client().name().equals(client.name())
                || !s.client().credential().equals(client.credential())) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    /**
     * Makes {@code stream} the session's GET stream, unless one is open on it already, or its client (a named one)
     * holds {@link ClientQuotas#maxStreamsPerClient()} open streams over all its sessions.
     */
    public StreamOpening openStream(ClientSession session, MessageSink stream) {
        lock.lock();
        try {
            if (session.hasOpenStream()) {
                return StreamOpening.ALREADY_OPEN;
            }
            Set<ClientSession> own = session.client().anonymous() ? null : byClient.get(session.client().name());
            if (own != null && own.stream().filter(ClientSession::hasOpenStream).count()
                    >= quotas.maxStreamsPerClient()) {
                dispatcher.events().refused(GatewayEvents.STREAMS_PER_CLIENT);
                return StreamOpening.CLIENT_QUOTA;
            }
            return session.openStandaloneStream(stream) ? StreamOpening.OPENED : StreamOpening.ALREADY_OPEN;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the session (its client's {@code DELETE}); false if it had ended already. */
    public boolean end(ClientSession session) {
        return end(session, null);
    }

    private boolean end(ClientSession session, String reason) {
        boolean removed;
        lock.lock();
        try {
            removed = removeLocked(session);
        } finally {
            lock.unlock();
        }
        if (removed) {
            ended(session, reason);
        }
        return removed;
    }

    /** Outside the lock: the session's calls stop, its upstream sessions are released, its GET stream ends. */
    private void ended(ClientSession session, String reason) {
        dispatcher.sessionEnded(session);
        MessageSink stream = session.standaloneStream();
        if (stream != null) {
            stream.close();
        }
        if (reason != null) {
            dispatcher.events().sessionEnded(reason);
        }
    }

    public int size() {
        return count.get();
    }

    public Collection<ClientSession> all() {
        return byId.values();
    }

    /**
     * Ends sessions with no request for the idle timeout and no call in flight. An open GET stream does not keep a
     * session: a client that only listens has to send something (a ping) now and then, or start anew on 404.
     */
    public int expireIdle() {
        long now = System.nanoTime();
        int ended = 0;
        for (ClientSession s : byId.values()) {
            if (!s.hasInFlight() && s.idleNanos(now) > idleTimeoutNanos && end(s, GatewayEvents.IDLE)) {
                ended++;
            }
        }
        if (ended > 0) {
            log.debug("ended {} idle client session(s)", ended);
        }
        return ended;
    }

    /**
     * After a reload: ends every session whose opener {@code admitted} no longer accepts (its API key removed, the JWT
     * settings changed, auth turned on for anonymous sessions), streams and calls with it. Allow lists need nothing
     * here: each request is checked against its own credentials.
     */
    public int endUnless(Predicate<ClientIdentity> admitted) {
        int ended = 0;
        for (ClientSession s : byId.values()) {
            if (!admitted.test(s.client()) && end(s, GatewayEvents.REVOKED)) {
                ended++;
            }
        }
        if (ended > 0) {
            log.info("reload: ended {} client session(s) whose credentials the new config no longer accepts", ended);
        }
        return ended;
    }

    public void endAll() {
        byId.values().forEach(this::end);
    }

    @Override
    public void catalogChanged(String server, ToolCatalog.Kind kind) {
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
