package io.mcppool.it.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mcppool.it.gateway.GatewayClient;
import io.mcppool.it.gateway.GatewayFiles;
import io.mcppool.it.gateway.interop.GatewayProcess;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, the identity findings, each against {@code mcp-pool serve} as a user starts it ({@link GatewayProcess}):
 * authorization is decided per request from that request's credentials, a session belongs to the credential that
 * opened it, reloads reach open sessions, and one client cannot shut the others out (sessions, GET streams, calls in
 * flight, sticky sessions, the breaker). Each test drives one finding and says which.
 *
 * <p>Two API-key clients, {@code hog} (the attacker: an ordinary client allowed everything) and {@code victim}, use
 * one stdio testkit server. Only keys that fb44bd9 already reads are set, so each test runs there (and fails at the
 * finding), and per-client limits are met at their defaults.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IdentityAbuseTest {
    static final String HOG_KEY = "hog-key-0123456789abcdef0123456789abcdef";
    static final String VICTIM_KEY = "victim-key-0123456789abcdef0123456789abcd";
    static final String ROTATED_KEY = "rotated-key-0123456789abcdef0123456789ab";
    static final String SECRET = "identity-abuse-secret-of-more-than-thirty-two-bytes";
    /** How long a reload (file watcher, settle time, a new pool config) may take on a loaded machine. */
    static final Duration RELOAD_WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    // ------------------------------------------------------------------ authorization per request

    /**
     * Finding "authorization is fixed when a session opens": a JWT narrowed to {@code ["testkit__echo"]} used the
     * session a broader token of the same subject opened, and could list and call every tool.
     */
    @Test
    void aNarrowTokenOnABroaderTokensSessionIsHeldToItsOwnAllowList() throws Exception {
        GatewayProcess gateway = serve("""
                gateway:
                  auth:
                    jwt: { secret: "${JWT_SECRET}", algorithms: [HS256] }
                servers:
                %s
                """.formatted(testkit("testkit", "")));
        GatewayClient broad = new GatewayClient(gateway.mcpUri(), jwt("alice", List.of("*")));
        broad.initialize();
        assertThat(broad.toolNames()).contains("testkit__echo", "testkit__add");

        GatewayClient narrow = new GatewayClient(gateway.mcpUri(), jwt("alice", List.of("testkit__echo")));
        narrow.useSession(broad.sessionId());
        JsonNode listed = narrow.request("tools/list", Json.object());
        assertThat(names(listed)).as("tools/list of a token allowed only testkit__echo, on the session a token of the"
                + " same subject allowed everything opened").containsExactly("testkit__echo");
        JsonNode call = narrow.call("testkit__add", Map.of("a", 1, "b", 2));
        assertThat(call.path("error").path("code").asInt()).as("testkit__add called with that narrow token: %s", call)
                .isEqualTo(-32602);
        // The session itself is not harmed: the token that opened it still reaches what it allows.
        assertThat(broad.call("testkit__add", Map.of("a", 1, "b", 2)).at("/result/content/0/text").asText())
                .isEqualTo("3");
    }

    /** Finding "a reload that narrows an allow list does not reach open sessions" (docs promise the next request). */
    @Test
    void aReloadThatNarrowsAnAllowListReachesAnOpenSessionAtItsNextRequest() throws Exception {
        String before = keysConfig("[\"*\"]", "[\"*\"]", "");
        GatewayProcess gateway = serve(before);
        GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
        hog.initialize();
        assertThat(hog.toolNames()).contains("testkit__echo", "testkit__add");

        writeConfig(keysConfig("[\"testkit__echo\"]", "[\"*\"]", ""));
        await().atMost(RELOAD_WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            GatewayClient fresh = new GatewayClient(gateway.mcpUri(), HOG_KEY);
            fresh.initialize();
            assertThat(fresh.toolNames()).as("a new session after the reload").containsExactly("testkit__echo");
        });

        assertThat(hog.toolNames()).as("tools/list on the session opened before the reload narrowed its allow list")
                .containsExactly("testkit__echo");
        JsonNode call = hog.call("testkit__add", Map.of("a", 1, "b", 2));
        assertThat(call.path("error").path("code").asInt()).as("testkit__add on that session: %s", call)
                .isEqualTo(-32602);
    }

    /**
     * Finding "a reload that revokes a key does not reach open sessions": the revoked client's requests get 401, but
     * its GET stream stayed open and went on carrying the gateway's notifications to it.
     */
    @Test
    void aReloadThatRevokesAKeyEndsItsOpenStream() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", ""));
        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        victim.initialize();
        GatewayClient.Events stream = victim.openStream();
        open.add(stream);
        assertThat(stream.status()).isEqualTo(200);

        writeConfig(keysConfig("[\"*\"]", null, ""));
        await().atMost(RELOAD_WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(new GatewayClient(gateway.mcpUri(), VICTIM_KEY).initializeRaw("2025-11-25").status())
                        .as("a new session of the revoked key").isEqualTo(401));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(stream.ended()).as("the GET stream of a session whose key a reload revoked has ended")
                        .isTrue());
    }

    /**
     * Finding "sessions are matched by client name": a session belongs to the credential that opened it. After a
     * reload gives the client {@code hog} a new key, the new key does not continue the old key's session (404, as for
     * an unknown session).
     */
    @Test
    void aSessionIsBoundToTheKeyThatOpenedItNotToTheClientsName() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", ""));
        GatewayClient old = new GatewayClient(gateway.mcpUri(), HOG_KEY);
        old.initialize();

        writeConfig(keysConfig("[\"*\"]", "[\"*\"]", "").replace("${HOG_KEY}", "${ROTATED_KEY}"));
        await().atMost(RELOAD_WAIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(new GatewayClient(gateway.mcpUri(), ROTATED_KEY).initializeRaw("2025-11-25").status())
                        .as("a new session with the client's new key").isEqualTo(200));

        GatewayClient rotated = new GatewayClient(gateway.mcpUri(), ROTATED_KEY);
        rotated.useSession(old.sessionId());
        GatewayClient.Answer a = rotated.post(rotated.message("tools/list", Json.object()));
        assertThat(a.status()).as("the new key of client 'hog' on the session its old key opened: %s", preview(a.body()))
                .isEqualTo(404);
    }

    // ------------------------------------------------------------------ fairness: sessions

    /**
     * Finding "one client can take the global session cap": with {@code maxSessions: 150}, one client opening 160
     * sessions left none for anyone else (503 until its sessions idled out 30 minutes later). Each client now has
     * {@code maxSessionsPerClient} (100) at most; at its cap its own least recently used idle session makes room.
     */
    @Test
    void oneClientsSessionsDoNotShutOutAnother() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "  maxSessions: 150\n"));
        List<GatewayClient> hogs = new ArrayList<>();
        Map<Integer, Long> statuses = new HashMap<>();
        for (int i = 0; i < 160; i++) {
            GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
            int status = hog.initializeRaw("2025-11-25").status();
            statuses.merge(status, 1L, Long::sum);
            hogs.add(hog);
        }
        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        GatewayClient.Answer a = victim.initializeRaw("2025-11-25");
        assertThat(a.status()).as("the victim's initialize after the hog opened 160 sessions (hog's statuses %s): %s",
                statuses, a.body()).isEqualTo(200);
        assertThat(statuses).as("the hog at its own cap: its oldest idle sessions make room").containsOnlyKeys(200);
    }

    /**
     * Finding "no eviction under pressure": with every session of the gateway taken ({@code maxSessions: 5}) by
     * one client's idle sessions, a new client got 503. The least recently used idle session of the client holding
     * the most now makes room, and its id is unknown afterwards (404).
     */
    @Test
    void aFullGatewayEndsTheOldestIdleSessionOfTheBiggestClientForANewOne() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "  maxSessions: 5\n"));
        List<GatewayClient> hogs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
            hog.initialize();
            hogs.add(hog);
        }
        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        GatewayClient.Answer a = victim.initializeRaw("2025-11-25");
        assertThat(a.status()).as("a new client's initialize on a gateway full of another client's idle sessions: %s",
                a.body()).isEqualTo(200);
        GatewayClient.Answer evicted = hogs.get(0).post(hogs.get(0).message("tools/list", Json.object()));
        assertThat(evicted.status()).as("the hog's least recently used session").isEqualTo(404);
        assertThat(hogs.get(4).toolNames()).as("the hog's newest session").contains("testkit__echo");
    }

    /**
     * Finding "no Retry-After": when no session can make room (every one has a call in flight), a new session is
     * refused with 503 and a {@code Retry-After}.
     */
    @Test
    void aFullGatewayWithNothingIdleRefusesWithRetryAfter() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "  maxSessions: 3\n"));
        for (int i = 0; i < 3; i++) {
            GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
            hog.initialize();
            inFlight(hog, 60_000);
        }
        GatewayClient.Answer a = new GatewayClient(gateway.mcpUri(), VICTIM_KEY).initializeRaw("2025-11-25");
        assertThat(a.status()).as("initialize with every session busy: %s", a.body()).isEqualTo(503);
        assertThat(a.header("Retry-After")).as("Retry-After of that 503").isNotNull().matches("[1-9][0-9]*");
    }

    /**
     * Finding "sessions with an open GET stream never expire": a session whose client holds a GET stream open and
     * sends nothing else now ends after {@code sessionIdleTimeout}, its stream with it.
     */
    @Test
    void aSessionWithAnOpenGetStreamStillExpires() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "  sessionIdleTimeout: 2s\n"));
        GatewayClient idle = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        idle.initialize();
        GatewayClient.Events stream = idle.openStream();
        open.add(stream);
        assertThat(stream.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stream.ended()).as("the GET stream of a session idle past sessionIdleTimeout (2 s) has"
                        + " ended").isTrue());
        assertThat(idle.post(idle.message("tools/list", Json.object())).status()).as("the expired session")
                .isEqualTo(404);
    }

    // ------------------------------------------------------------------ fairness: streams, calls, sticky sessions

    /** Finding "no per-client limit on GET streams": one client holds {@code maxStreamsPerClient} (16) at most. */
    @Test
    void oneClientsGetStreamsAreBounded() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", ""));
        List<Integer> statuses = new ArrayList<>();
        GatewayClient.Events refused = null;
        for (int i = 0; i < 17; i++) {
            GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
            hog.initialize();
            GatewayClient.Events stream = hog.openStream();
            open.add(stream);
            statuses.add(stream.status());
            refused = stream;
        }
        assertThat(statuses.subList(0, 16)).as("the hog's first 16 GET streams").containsOnly(200);
        assertThat(statuses.get(16)).as("the hog's 17th GET stream").isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).as("Retry-After of that 429").isPresent();

        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        victim.initialize();
        GatewayClient.Events stream = victim.openStream();
        open.add(stream);
        assertThat(stream.status()).as("another client's GET stream").isEqualTo(200);
    }

    /**
     * Finding "no per-client limit on calls in flight": one client's 40 concurrent slow calls are all taken. It now
     * has {@code maxCallsPerClient} (32) at most in flight; more get 429 with {@code Retry-After}, and another
     * client's call goes through meanwhile.
     */
    @Test
    void oneClientsCallsInFlightAreBounded() throws Exception {
        // one upstream session takes every call, so none waits for a second one to start
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "",
                testkit("testkit", "    pool: { maxConcurrentRequests: 64 }\n")));
        GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
        hog.initialize();
        List<CompletableFuture<GatewayClient.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            calls.add(hog.callAsync("testkit__sleep", Map.of("ms", 15_000)));
        }
        // Refusals come at once; the admitted calls sleep 15 s.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(calls.stream().filter(CompletableFuture::isDone).count())
                        .as("the hog's calls answered within 10 s of sending 40 that sleep 15 s").isEqualTo(8));
        for (CompletableFuture<GatewayClient.Answer> c : calls) {
            if (c.isDone()) {
                GatewayClient.Answer a = c.join();
                assertThat(a.status()).as("a refused call: %s", a.body()).isEqualTo(429);
                assertThat(a.header("Retry-After")).as("its Retry-After").isNotNull();
            }
        }
        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        victim.initialize();
        JsonNode echo = victim.callAsync("testkit__echo", Map.of("message", "through")).get(12, TimeUnit.SECONDS)
                .response();
        assertThat(echo.at("/result/content/0/text").asText()).as("the victim's echo: %s", echo).isEqualTo("through");
        assertThat(calls.stream().filter(c -> !c.isDone()).count()).as("the hog's calls still in flight").isEqualTo(32);
    }

    /**
     * Finding "three client sessions take every slot of a default sticky server": each client holds
     * {@code maxStickySessionsPerClient} (2) upstream sessions of a sticky server at most; past it a call is refused
     * with 429 and {@code Retry-After}, and another client still gets a session of its own.
     */
    @Test
    void oneClientCannotTakeEveryPlaceOfAStickyServer() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "",
                testkit("sticky", "    pool: { mode: sticky }\n")));
        List<Integer> statuses = new ArrayList<>();
        String retryAfter = null;
        for (int i = 0; i < 4; i++) {
            GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
            hog.initialize();
            GatewayClient.Answer a = hog.callAsync("sticky__counter", Map.of("action", "increment"))
                    .get(60, TimeUnit.SECONDS);
            statuses.add(a.status());
            if (a.status() == 429) {
                retryAfter = a.header("Retry-After");
            }
        }
        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        victim.initialize();
        JsonNode r = victim.callAsync("sticky__counter", Map.of("action", "increment")).get(60, TimeUnit.SECONDS)
                .response();
        assertThat(r.at("/result/content/0/text").asText()).as("the victim's call of a sticky server after the hog"
                + " called it from 4 sessions (hog's statuses %s): %s", statuses, r).isEqualTo("1");
        assertThat(statuses).as("the hog's calls from 4 sessions").containsExactly(200, 200, 429, 429);
        assertThat(retryAfter).as("Retry-After of the hog's refused call").isNotNull();
    }

    /**
     * Finding "six calls that exceed callTimeout open a server's breaker for every client": one client's slow calls
     * (timeouts at the server's own {@code callTimeout}) now fail only its own calls; timeouts of two clients still
     * open the breaker.
     */
    @Test
    void oneClientsTimeoutsDoNotOpenTheBreakerForEveryone() throws Exception {
        GatewayProcess gateway = serve(keysConfig("[\"*\"]", "[\"*\"]", "",
                testkit("slow", "    callTimeout: 1s\n    pool: { minSessions: 1, maxSessions: 1 }\n")));
        GatewayClient hog = new GatewayClient(gateway.mcpUri(), HOG_KEY);
        hog.initialize();
        GatewayClient victim = new GatewayClient(gateway.mcpUri(), VICTIM_KEY);
        victim.initialize();
        // The server is up before the first call: its 1 s callTimeout covers the wait for a session too, and a JVM
        // starting on a loaded machine can take longer than that.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(victim.toolNames()).contains("slow__echo"));
        JsonNode before = victim.call("slow__echo", Map.of("message", "before"));
        assertThat(text(before)).as("the victim's first echo: %s", before).isEqualTo("before");

        List<CompletableFuture<GatewayClient.Answer>> slow = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            slow.add(hog.callAsync("slow__sleep", Map.of("ms", 5_000)));
        }
        for (CompletableFuture<GatewayClient.Answer> c : slow) {
            JsonNode r = c.get(60, TimeUnit.SECONDS).response();
            assertThat(r.at("/error/data/errorType").asText()).as("a hog's call over callTimeout: %s", r)
                    .isEqualTo("timeout");
        }
        JsonNode after = victim.call("slow__echo", Map.of("message", "after"));
        assertThat(text(after)).as("the victim's echo after the hog's 8 timeouts: %s", after).isEqualTo("after");

        // The breaker still guards everyone when the timeouts are not one client's alone.
        for (int i = 0; i < 8; i++) {
            GatewayClient who = i % 2 == 0 ? hog : victim;
            who.call("slow__sleep", Map.of("ms", 5_000));
        }
        JsonNode refused = victim.call("slow__echo", Map.of("message", "refused"));
        assertThat(refused.at("/error/data/errorType").asText()).as("an echo after both clients' timeouts: %s",
                refused).isEqualTo("unavailable");
    }

    // ------------------------------------------------------------------ helpers

    /** Starts {@code serve} on {@code yaml}, with the keys and the JWT secret in its environment. */
    private GatewayProcess serve(String yaml) {
        Path config = writeConfig(yaml);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("HOG_KEY", HOG_KEY);
        env.put("VICTIM_KEY", VICTIM_KEY);
        env.put("ROTATED_KEY", ROTATED_KEY);
        env.put("JWT_SECRET", SECRET);
        GatewayProcess gateway = GatewayProcess.serve(dir, env, "--config", config.toString());
        open.add(gateway);
        return gateway;
    }

    /** Writes the config file in one rename, as editors do (a reload sees it whole). */
    private Path writeConfig(String yaml) {
        return GatewayFiles.write(dir, yaml);
    }

    /**
     * The hog's and the victim's API keys with these allow lists (the victim's null: no key for it), {@code gateway}
     * lines besides, and the {@code servers} given (default: one testkit server named {@code testkit}).
     */
    private static String keysConfig(String hogAllow, String victimAllow, String gateway, String... servers) {
        StringBuilder yaml = new StringBuilder("shutdownGrace: 2s\ngateway:\n  drainTimeout: 1s\n").append(gateway)
                .append("  auth:\n    apiKeys:\n")
                .append("      - { name: hog, key: \"${HOG_KEY}\", allow: ").append(hogAllow).append(" }\n");
        if (victimAllow != null) {
            yaml.append("      - { name: victim, key: \"${VICTIM_KEY}\", allow: ").append(victimAllow).append(" }\n");
        }
        yaml.append("defaults:\n  shutdownGrace: 500ms\nservers:\n");
        for (String server : servers.length == 0 ? new String[] {testkit("testkit", "")} : servers) {
            yaml.append(server);
        }
        return yaml.toString();
    }

    /** A stdio testkit server entry from the gateway's own jar, with {@code more} lines (indented 4) of its own. */
    static String testkit(String name, String more) {
        List<String> args = new ArrayList<>(TestkitCommand.JVM_FLAGS);
        args.addAll(List.of("-cp", "${MCP_POOL_CLASSPATH}", "io.mcppool.testkit.TestkitServer"));
        return "  " + name + ":\n    command: ${MCP_POOL_JAVA}\n    args: ["
                + args.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", ")) + "]\n" + more;
    }

    /** Starts a {@code sleep} call of {@code ms} with a progress token and returns once its first progress arrived. */
    private void inFlight(GatewayClient client, int ms) throws InterruptedException {
        ObjectNode params = Json.object().put("name", "testkit__sleep");
        params.putObject("arguments").put("ms", ms).put("steps", ms / 100);
        params.putObject("_meta").put("progressToken", "p");
        GatewayClient.Events events = client.postStream(client.message("tools/call", params));
        open.add(events);
        assertThat(events.status()).as("a sleep call").isEqualTo(200);
        assertThat(events.await("notifications/progress", Duration.ofSeconds(30))).as("its first progress")
                .isNotNull();
    }

    static String jwt(String subject, List<String> allow) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject)
                    .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(10)))).claim("mcp_tools", allow)
                    .build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                    claims);
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(JsonNode listResponse) {
        List<String> names = new ArrayList<>();
        listResponse.path("result").path("tools").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }

    /** The start of a body, for a failure message. */
    private static String preview(String body) {
        return body.length() <= 160 ? body : body.substring(0, 160) + "...";
    }

    private static String text(JsonNode response) {
        return response.at("/result/content/0/text").asText(null);
    }
}
