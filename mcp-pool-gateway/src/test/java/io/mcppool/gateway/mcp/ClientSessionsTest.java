package io.mcppool.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.McpPool;
import io.mcppool.config.ApiKeySettings;
import io.mcppool.config.AuthSettings;
import io.mcppool.config.ClientLimits;
import io.mcppool.config.ClientQuotas;
import io.mcppool.config.GatewaySettings;
import io.mcppool.config.JwtSettings;
import io.mcppool.config.McpPoolConfig;
import io.mcppool.config.RateLimit;
import io.mcppool.gateway.auth.AccessPolicy;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.auth.ClientIdentity.Credential;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.RequestId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client sessions' bounds and bindings without HTTP: per-client quotas and the gateway's limit with the sessions
 * they end to make room, the credential a session answers to, the sessions a reload ends, and the dispatcher's quota
 * of calls in flight. The same findings through {@code serve} are in mcp-pool-it's {@code IdentityAbuseTest}.
 */
class ClientSessionsTest {
    private static final String HASH_A = "a".repeat(64);
    private static final String HASH_B = "b".repeat(64);

    private final McpPool pool = McpPool.create(new McpPoolConfig(Map.of()));
    private final List<String> ended = new ArrayList<>();
    private final List<String> refused = new ArrayList<>();
    private final GatewayEvents events = new GatewayEvents() {
        @Override
        public void refused(String quota) {
            refused.add(quota);
        }

        @Override
        public void sessionEnded(String reason) {
            ended.add(reason);
        }
    };

    @AfterEach
    void close() {
        pool.close();
    }

    private ClientSessions sessions(int maxSessions, ClientQuotas quotas) {
        ClientLimits d = ClientLimits.DEFAULTS;
        ClientLimits limits = new ClientLimits(d.maxStreamMessages(), d.maxStreamBytes(), d.maxUnreadResponseBytes(),
                d.clientRequestTimeout(), d.maxClientRequests(), quotas);
        return new ClientSessions(new GatewayDispatcher(pool, limits, events), maxSessions, Duration.ofMinutes(30));
    }

    private static ClientQuotas sessionsPerClient(int n) {
        return new ClientQuotas(n, 16, 32, 2);
    }

    private static ClientIdentity key(String name, String hash) {
        return new ClientIdentity(name, AccessPolicy.ALL, RateLimit.NONE, false, Credential.apiKey(hash));
    }

    private static final ClientIdentity ANONYMOUS = new ClientIdentity("anonymous", AccessPolicy.ALL, RateLimit.NONE,
            true);

    private static ClientSession open(ClientSessions sessions, ClientIdentity client) {
        ClientSessions.Opening o = sessions.open(client);
        assertThat(o.refusal()).as("refusal of a session for %s", client.name()).isNull();
        return o.session();
    }

    /** Makes {@code s} used last, so that the others are older in use. */
    private static void use(ClientSession s) throws InterruptedException {
        long before = System.nanoTime();
        while (System.nanoTime() == before) {
            Thread.onSpinWait();
        }
        s.touch();
    }

    private static void busy(ClientSession s) {
        s.callStarted(RequestId.of("busy-" + s.id()), new CompletableFuture<>());
    }

    @Test
    void aClientAtItsQuotaEndsItsOwnLeastRecentlyUsedIdleSession() throws Exception {
        ClientSessions sessions = sessions(100, sessionsPerClient(3));
        ClientSession first = open(sessions, key("a", HASH_A));
        ClientSession second = open(sessions, key("a", HASH_A));
        ClientSession third = open(sessions, key("a", HASH_A));
        use(first);
        busy(second);

        ClientSession fourth = open(sessions, key("a", HASH_A));

        assertThat(third.isClosed()).as("the least recently used idle session").isTrue();
        assertThat(first.isClosed() || second.isClosed() || fourth.isClosed()).isFalse();
        assertThat(sessions.size()).isEqualTo(3);
        assertThat(ended).containsExactly(GatewayEvents.EVICTED);
    }

    @Test
    void aClientWhoseSessionsAllHaveCallsInFlightIsRefusedWithRetryAfter() {
        ClientSessions sessions = sessions(100, sessionsPerClient(2));
        busy(open(sessions, key("a", HASH_A)));
        busy(open(sessions, key("a", HASH_A)));

        ClientSessions.Opening o = sessions.open(key("a", HASH_A));

        assertThat(o.session()).isNull();
        assertThat(o.refusal().status()).isEqualTo(429);
        assertThat(o.refusal().retryAfterSeconds()).isPositive();
        assertThat(o.refusal().message()).contains("gateway.maxSessionsPerClient").doesNotContain(HASH_A);
        assertThat(refused).containsExactly(GatewayEvents.SESSIONS_PER_CLIENT);
        assertThat(open(sessions, key("b", HASH_B))).as("another client").isNotNull();
    }

    @Test
    void aFullGatewayEndsTheLeastRecentlyUsedIdleSessionOfTheClientHoldingTheMost() throws Exception {
        ClientSessions sessions = sessions(4, sessionsPerClient(100));
        ClientSession a1 = open(sessions, key("a", HASH_A));
        ClientSession a2 = open(sessions, key("a", HASH_A));
        ClientSession a3 = open(sessions, key("a", HASH_A));
        ClientSession b1 = open(sessions, key("b", HASH_B));
        use(a1);
        use(a3);
        use(b1); // b1 is the most recently used, a2 the least of a's

        ClientSession c1 = open(sessions, key("c", "c".repeat(64)));

        assertThat(a2.isClosed()).isTrue();
        assertThat(List.of(a1, a3, b1, c1)).noneMatch(ClientSession::isClosed);

        busy(a1);
        busy(a3);
        use(c1);
        ClientSession c2 = open(sessions, key("c", "c".repeat(64)));
        assertThat(b1.isClosed()).as("a's sessions are all busy: the next biggest client's idle one").isTrue();
        assertThat(c2.isClosed()).isFalse();
    }

    @Test
    void aFullGatewayWithEverySessionBusyRefusesWith503() {
        ClientSessions sessions = sessions(2, sessionsPerClient(100));
        busy(open(sessions, key("a", HASH_A)));
        busy(open(sessions, ANONYMOUS));

        ClientSessions.Opening o = sessions.open(key("b", HASH_B));

        assertThat(o.refusal().status()).isEqualTo(503);
        assertThat(o.refusal().message()).contains("gateway.maxSessions");
        assertThat(refused).containsExactly(GatewayEvents.GATEWAY_SESSIONS);
    }

    @Test
    void theAnonymousClientHasNoPerClientQuotaButTheGatewaysLimitHolds() {
        ClientSessions sessions = sessions(5, sessionsPerClient(2));
        List<ClientSession> opened = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            opened.add(open(sessions, ANONYMOUS));
        }
        assertThat(opened).noneMatch(ClientSession::isClosed);

        open(sessions, ANONYMOUS);
        assertThat(opened.get(0).isClosed()).as("the oldest, at the gateway's limit").isTrue();
        assertThat(sessions.size()).isEqualTo(5);
    }

    @Test
    void aSessionAnswersOnlyToTheCredentialThatOpenedIt() {
        ClientSessions sessions = sessions(100, ClientQuotas.DEFAULTS);
        ClientSession s = open(sessions, key("a", HASH_A));

        assertThat(sessions.find(s.id(), key("a", HASH_A))).contains(s);
        assertThat(sessions.find(s.id(), key("a", HASH_B))).as("the same name with another key").isEmpty();
        assertThat(sessions.find(s.id(), key("b", HASH_A))).as("the same key under another name").isEmpty();
        assertThat(sessions.find(s.id(), ANONYMOUS)).isEmpty();
        assertThat(sessions.find("made-up", key("a", HASH_A))).isEmpty();
    }

    @Test
    void aGetStreamQuotaCountsTheClientsOpenStreamsOverAllItsSessions() {
        ClientSessions sessions = sessions(100, new ClientQuotas(100, 2, 32, 2));
        ClientSession a1 = open(sessions, key("a", HASH_A));
        ClientSession a2 = open(sessions, key("a", HASH_A));
        ClientSession a3 = open(sessions, key("a", HASH_A));
        Sink s1 = new Sink();

        assertThat(sessions.openStream(a1, s1)).isEqualTo(ClientSessions.StreamOpening.OPENED);
        assertThat(sessions.openStream(a1, new Sink())).isEqualTo(ClientSessions.StreamOpening.ALREADY_OPEN);
        assertThat(sessions.openStream(a2, new Sink())).isEqualTo(ClientSessions.StreamOpening.OPENED);
        assertThat(sessions.openStream(a3, new Sink())).isEqualTo(ClientSessions.StreamOpening.CLIENT_QUOTA);
        assertThat(sessions.openStream(open(sessions, key("b", HASH_B)), new Sink()))
                .isEqualTo(ClientSessions.StreamOpening.OPENED);

        sessions.end(a1);
        assertThat(s1.closed).as("an ended session's stream").isTrue();
        assertThat(sessions.openStream(a3, new Sink())).isEqualTo(ClientSessions.StreamOpening.OPENED);
    }

    @Test
    void aSessionWithAnOpenGetStreamExpiresWhenIdle() {
        ClientLimits d = ClientLimits.DEFAULTS;
        ClientSessions sessions = new ClientSessions(new GatewayDispatcher(pool, d, events), 100, Duration.ofNanos(1));
        ClientSession s = open(sessions, key("a", HASH_A));
        Sink stream = new Sink();
        sessions.openStream(s, stream);
        long start = System.nanoTime();
        while (System.nanoTime() - start < 1_000) {
            Thread.onSpinWait();
        }

        assertThat(sessions.expireIdle()).isEqualTo(1);
        assertThat(stream.closed).isTrue();
        assertThat(ended).containsExactly(GatewayEvents.IDLE);
    }

    @Test
    void aReloadEndsTheSessionsOfCredentialsItNoLongerAccepts() {
        ClientSessions sessions = sessions(100, ClientQuotas.DEFAULTS);
        JwtSettings jwt = jwt("s".repeat(40), List.of("*"));
        ClientSession a = open(sessions, key("a", HASH_A));
        ClientSession b = open(sessions, key("b", HASH_B));
        ClientSession alice = open(sessions, jwtClient("alice", jwt));

        // Allow lists changed only: every session stays (each request brings its own allow list).
        GatewaySettings narrowed = settings(List.of(new ApiKeySettings("a", HASH_A, List.of("x__*"), Optional.empty()),
                new ApiKeySettings("b", HASH_B, List.of(), Optional.empty())), jwt("s".repeat(40), List.of()));
        assertThat(sessions.endUnless(ClientIdentity.admittedBy(narrowed))).isZero();

        // b's key revoked, the JWT secret rotated.
        GatewaySettings revoked = settings(List.of(new ApiKeySettings("a", HASH_A, List.of("*"), Optional.empty())),
                jwt("t".repeat(40), List.of("*")));
        assertThat(sessions.endUnless(ClientIdentity.admittedBy(revoked))).isEqualTo(2);
        assertThat(b.isClosed()).isTrue();
        assertThat(alice.isClosed()).isTrue();
        assertThat(a.isClosed()).isFalse();
        assertThat(ended).containsExactly(GatewayEvents.REVOKED, GatewayEvents.REVOKED);

        // Auth required from now on: anonymous sessions end; a key renamed is another client.
        ClientSession anonymous = open(sessions, ANONYMOUS);
        GatewaySettings renamed = settings(List.of(new ApiKeySettings("a2", HASH_A, List.of("*"), Optional.empty())),
                null);
        assertThat(sessions.endUnless(ClientIdentity.admittedBy(renamed))).isEqualTo(2);
        assertThat(anonymous.isClosed()).isTrue();
        assertThat(a.isClosed()).isTrue();
    }

    @Test
    void aClientsCallsInFlightAreBoundedAndGivenBackWhenAnswered() {
        ClientSessions sessions = sessions(100, new ClientQuotas(100, 16, 2, 2));
        GatewayDispatcher dispatcher = sessions.dispatcher();
        ClientIdentity a = key("a", HASH_A);
        ClientSession s = open(sessions, a);
        AtomicInteger ids = new AtomicInteger();
        JsonRpcRequest ping = new JsonRpcRequest(RequestId.of(ids.incrementAndGet()), "ping", Json.object());

        GatewayDispatcher.Admission first = dispatcher.admit(s, a, ping);
        GatewayDispatcher.Admission second = dispatcher.admit(s, a, ping);
        GatewayDispatcher.Admission third = dispatcher.admit(s, a, ping);

        assertThat(first.refusal()).isNull();
        assertThat(second.refusal()).isNull();
        assertThat(third.refusal().status()).isEqualTo(429);
        assertThat(third.refusal().message()).contains("gateway.maxCallsPerClient");
        assertThat(dispatcher.admit(s, ANONYMOUS, ping).refusal()).as("the anonymous client").isNull();
        JsonRpcRequest initialize = new JsonRpcRequest(RequestId.of(ids.incrementAndGet()), "initialize",
                Json.object());
        assertThat(dispatcher.admit(s, a, initialize).refusal()).as("initialize, which the session quotas count")
                .isNull();

        assertThat(dispatcher.request(first, ping, null).join().isError()).isFalse();
        assertThat(dispatcher.admit(s, a, ping).refusal()).as("after one was answered").isNull();
        // refused within a batch: a JSON-RPC error for that element
        assertThat(dispatcher.request(s, a, ping, null).join().error().message())
                .contains("gateway.maxCallsPerClient");
    }

    private static ClientIdentity jwtClient(String subject, JwtSettings jwt) {
        return new ClientIdentity("jwt:" + subject, AccessPolicy.ALL, RateLimit.NONE, false,
                new Credential(Credential.Kind.JWT, "0:|" + subject, Credential.verification(jwt)));
    }

    private static JwtSettings jwt(String secret, List<String> allow) {
        return new JwtSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(secret),
                Optional.empty(), List.of("HS256"), "sub", "mcp_tools", allow, Duration.ofSeconds(30));
    }

    private static GatewaySettings settings(List<ApiKeySettings> keys, JwtSettings jwt) {
        return GatewaySettings.DEFAULTS.withAuth(new AuthSettings(AuthSettings.Mode.AUTO, keys, Optional.ofNullable(jwt),
                List.of("*")));
    }

    /** A stream that only knows whether it was closed. */
    private static final class Sink implements MessageSink {
        volatile boolean closed;

        @Override
        public boolean send(JsonRpcMessage message) {
            return !closed;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
