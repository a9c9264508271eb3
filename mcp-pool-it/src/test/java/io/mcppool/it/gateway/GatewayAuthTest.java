package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mcppool.gateway.Gateway;
import io.mcppool.it.gateway.GatewayClient.RawAnswer;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, acceptance 4, against a running gateway: credentials are checked on every request (API keys, plain or
 * as a SHA-256, and HS256 JWTs), each client sees and reaches only what its allow list names, no client
 * credential travels upstream, and a client over its rate gets 429 with {@code Retry-After}.
 */
class GatewayAuthTest {
    static final String KEY_A = "key-for-client-a-0123456789";
    static final String KEY_B = "key-for-client-b-0123456789";
    static final String KEY_LIMITED = "key-for-the-limited-client-42";
    static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes-for-hs256";

    @TempDir
    static Path dir;
    static TestkitHttpServer upstreamA;
    static TestkitHttpServer upstreamB;
    static Gateway gateway;

    @BeforeAll
    static void start() {
        upstreamA = TestkitHttpServer.start(TestkitOptions.defaults());
        upstreamB = TestkitHttpServer.start(TestkitOptions.defaults());
        gateway = GatewayFiles.start(dir, """
                servers:
                  a: { url: "%s", headers: { X-Upstream: "yes" } }
                  b: { url: "%s" }
                gateway:
                  port: 0
                  watchConfig: false
                  auth:
                    apiKeys:
                      - { name: client-a, key: "%s", allow: ["a__*"] }
                      - { name: client-b, sha256: "%s", allow: ["b__*"] }
                      - { name: limited, key: "%s", allow: ["*"], rateLimit: { perClient: 1/m, burst: 2 } }
                    jwt: { secret: "%s", algorithms: [HS256] }
                """.formatted(upstreamA.url(), upstreamB.url(), KEY_A, sha256(KEY_B), KEY_LIMITED, SECRET));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstreamA.close();
        upstreamB.close();
    }

    @Test
    void noTokenAndAWrongTokenGet401() {
        String init = Json.write(new GatewayClient(gateway.mcpUri(), null).message("initialize", Json.object()));
        Map<String, String> json = Map.of("Content-Type", "application/json",
                "Accept", "application/json, text/event-stream");

        RawAnswer none = GatewayClient.raw(gateway.mcpUri(), "POST", json, init);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().get("www-authenticate")).startsWith("Bearer");

        RawAnswer wrong = GatewayClient.raw(gateway.mcpUri(), "POST",
                with(json, "Authorization", "Bearer not-a-key-of-this-gateway"), init);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.headers().get("www-authenticate")).contains("error=\"invalid_token\"");

        RawAnswer basic = GatewayClient.raw(gateway.mcpUri(), "POST", with(json, "Authorization", "Basic " + KEY_A), init);
        assertThat(basic.status()).isEqualTo(401);

        // GET and DELETE are checked as POST is, before the session is looked at.
        assertThat(GatewayClient.raw(gateway.mcpUri(), "GET", Map.of("Accept", "text/event-stream",
                "Mcp-Session-Id", "x"), null).status()).isEqualTo(401);
        assertThat(GatewayClient.raw(gateway.mcpUri(), "DELETE", Map.of("Mcp-Session-Id", "x"), null).status())
                .isEqualTo(401);

        // The right key, in the same shape, passes: the 401s above are about the credential only.
        assertThat(GatewayClient.raw(gateway.mcpUri(), "POST", with(json, "Authorization", "Bearer " + KEY_A), init)
                .status()).isEqualTo(200);
    }

    @Test
    void anExpiredJwtGets401AndAValidOneIsItsSubject() throws Exception {
        String valid = jwt(SECRET, "alice", Instant.now().plus(Duration.ofMinutes(5)), List.of("b__echo"));
        GatewayClient alice = new GatewayClient(gateway.mcpUri(), valid);
        alice.initialize();
        assertThat(alice.toolNames()).containsExactly("b__echo");
        assertThat(alice.call("b__echo", Map.of("message", "hi")).path("result").path("content").get(0)
                .path("text").asText()).isEqualTo("hi");

        String expired = jwt(SECRET, "alice", Instant.now().minus(Duration.ofMinutes(5)), List.of("b__echo"));
        GatewayClient.Answer a = new GatewayClient(gateway.mcpUri(), expired).initializeRaw("2025-11-25");
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.header("WWW-Authenticate")).contains("invalid_token").contains("expired");
        // The expired token cannot go on using the session the valid one opened either.
        GatewayClient replay = new GatewayClient(gateway.mcpUri(), expired);
        replay.useSession(alice.sessionId());
        assertThat(replay.post(replay.message("tools/list", Json.object())).status()).isEqualTo(401);

        String forged = jwt("another-secret-of-at-least-thirty-two-bytes!!", "alice",
                Instant.now().plus(Duration.ofMinutes(5)), List.of("*"));
        assertThat(new GatewayClient(gateway.mcpUri(), forged).initializeRaw("2025-11-25").status()).isEqualTo(401);
    }

    @Test
    void aClientNeitherSeesNorCallsAnotherClientsTools() {
        GatewayClient a = new GatewayClient(gateway.mcpUri(), KEY_A);
        GatewayClient b = new GatewayClient(gateway.mcpUri(), KEY_B);
        a.initialize();
        b.initialize();

        List<String> aTools = a.toolNames();
        List<String> bTools = b.toolNames();
        assertThat(aTools).contains("a__echo", "a__stats").allMatch(n -> n.startsWith("a__"));
        assertThat(bTools).contains("b__echo").allMatch(n -> n.startsWith("b__"));

        long echoesOnB = upstreamB.server().stats().path("executions").path("echo").asLong();
        JsonNode denied = a.call("b__echo", Map.of("message", "from a"));
        assertThat(denied.path("error").path("code").asInt()).isEqualTo(-32602);
        assertThat(denied.path("error").path("message").asText()).isEqualTo("Unknown tool: b__echo");
        // Said the same way as a tool that does not exist at all: nothing tells A that b__echo is there.
        JsonNode missing = a.call("a__no_such_tool", Map.of());
        assertThat(missing.path("error").path("message").asText()).isEqualTo("Unknown tool: a__no_such_tool");
        assertThat(upstreamB.server().stats().path("executions").path("echo").asLong()).isEqualTo(echoesOnB);

        assertThat(a.call("a__echo", Map.of("message", "mine")).path("result").path("isError").asBoolean()).isFalse();

        // A session id is no credential: B holding A's id gets 404, as for an unknown one.
        GatewayClient thief = new GatewayClient(gateway.mcpUri(), KEY_B);
        thief.useSession(a.sessionId());
        assertThat(thief.post(thief.message("tools/list", Json.object())).status()).isEqualTo(404);
        assertThat(thief.delete()).isEqualTo(404);
        assertThat(a.toolNames()).isEqualTo(aTools); // and A's session is untouched
    }

    @Test
    void theClientsAuthorizationNeverReachesTheUpstream() {
        GatewayClient a = new GatewayClient(gateway.mcpUri(), KEY_A);
        a.initialize();
        JsonNode stats = a.call("a__stats", Map.of()).path("result").path("structuredContent");
        JsonNode headers = stats.path("thisCall").path("headers");
        assertThat(headers.isObject()).as("stats reports the call's headers: %s", stats).isTrue();
        assertThat(headers.path("x-upstream").asText()).as("the upstream's own configured header").isEqualTo("yes");
        assertThat(names(headers)).doesNotContain("authorization");
        assertThat(upstreamA.lastHeaders()).doesNotContainKey("authorization");
        assertThat(Json.write(stats)).doesNotContain(KEY_A);
    }

    @Test
    void aClientOverItsRateGets429WithRetryAfter() {
        GatewayClient limited = new GatewayClient(gateway.mcpUri(), KEY_LIMITED);
        limited.initialize(); // initialize and initialized: the burst of two
        GatewayClient.Answer over = limited.post(limited.message("tools/list", Json.object()));
        assertThat(over.status()).isEqualTo(429);
        assertThat(Long.parseLong(over.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(parseError(over.body())).contains("Rate limit");

        // Other clients have buckets of their own.
        GatewayClient a = new GatewayClient(gateway.mcpUri(), KEY_A);
        a.initialize();
        assertThat(a.toolNames()).isNotEmpty();
    }

    // ------------------------------------------------------------------ helpers

    static String jwt(String secret, String subject, Instant expires, List<String> allow) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(expires))
                .issueTime(Date.from(expires.minus(Duration.ofMinutes(10)))).claim("mcp_tools", allow).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return all;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(n -> names.add(n.toLowerCase(java.util.Locale.ROOT)));
        return names;
    }

    private static String parseError(String body) {
        return GatewayClient.parse(body).path("error").path("message").asText();
    }
}
