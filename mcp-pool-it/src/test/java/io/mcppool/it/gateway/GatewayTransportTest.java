package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.it.gateway.GatewayClient.Answer;
import io.mcppool.protocol.Json;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Streamable HTTP rules of a running gateway: the DNS-rebinding guard ({@code Host}, {@code Origin}), the body
 * limit, protocol versions (header and {@code initialize}), session headers, and the GET stream that carries
 * {@code notifications/tools/list_changed}.
 */
class GatewayTransportTest {
    static final Map<String, String> JSON = Map.of("Content-Type", "application/json",
            "Accept", "application/json, text/event-stream");

    @TempDir
    static Path dir;
    static TestkitHttpServer upstream;
    static Gateway gateway;

    @BeforeAll
    static void start() {
        upstream = TestkitHttpServer.start(TestkitOptions.defaults());
        gateway = GatewayFiles.start(dir, """
                servers:
                  t: { url: "%s" }
                gateway:
                  port: 0
                  watchConfig: false
                  maxBodySize: 1KB
                  allowedOrigins: ["https://app.example.com"]
                """.formatted(upstream.url()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    @Test
    void aForeignHostOrOriginGets403() {
        URI mcp = gateway.mcpUri();
        String init = Json.write(new GatewayClient(mcp, null).message("initialize", initParams("2025-11-25")));
        int port = mcp.getPort();

        assertThat(post(Map.of("Host", "evil.example.com:" + port), init).status()).as("foreign Host").isEqualTo(403);
        assertThat(post(Map.of("Host", "evil.example.com"), init).status()).as("foreign Host, no port").isEqualTo(403);
        assertThat(post(Map.of("Origin", "http://evil.example.com"), init).status()).as("foreign Origin")
                .isEqualTo(403);
        assertThat(post(Map.of("Origin", "http://evil.example.com:" + port), init).status()).isEqualTo(403);
        assertThat(post(Map.of("Origin", "null"), init).status()).as("Origin: null").isEqualTo(403);
        // DNS rebinding as it happens: the attacker's name for 127.0.0.1, in both headers.
        assertThat(post(Map.of("Host", "rebind.example:" + port, "Origin", "http://rebind.example:" + port), init)
                .status()).isEqualTo(403);
        assertThat(GatewayClient.raw(mcp, "GET", Map.of("Host", "evil.example.com", "Accept", "text/event-stream",
                "Mcp-Session-Id", "x"), null).status()).as("GET is guarded too").isEqualTo(403);

        // What may come: loopback names, the configured origin, the gateway's own origin, and no Origin at all.
        assertThat(post(Map.of("Host", "localhost:" + port), init).status()).isEqualTo(200);
        assertThat(post(Map.of("Host", "127.0.0.1:" + port), init).status()).isEqualTo(200);
        assertThat(post(Map.of("Origin", "https://app.example.com"), init).status()).isEqualTo(200);
        assertThat(post(Map.of("Origin", "http://127.0.0.1:" + port), init).status()).isEqualTo(200);
        assertThat(post(Map.of(), init).status()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitGets413WhateverItsFraming() {
        GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
        c.initialize();
        byte[] big = Json.write(c.message("tools/call", GatewayClient.callParams("t__echo",
                Map.of("message", "x".repeat(2048))))).getBytes(StandardCharsets.UTF_8);

        Answer sized = join(c.postBytes(big, Map.of()));
        assertThat(sized.status()).as("with Content-Length").isEqualTo(413);

        // Chunked: no length up front, so the limit must hold while reading.
        Answer chunked = join(GatewayClient.HTTP.sendAsync(java.net.http.HttpRequest.newBuilder(gateway.mcpUri())
                        .timeout(GatewayClient.TIMEOUT)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                        .header("Mcp-Session-Id", c.sessionId()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Answer(r.statusCode(), r.headers(), r.body(), List.of())));
        assertThat(chunked.status()).as("chunked").isEqualTo(413);

        // The session is unharmed, and a body under the limit passes.
        JsonNode ok = c.call("t__echo", Map.of("message", "x".repeat(512)));
        assertThat(ok.path("result").path("content").get(0).path("text").asText()).hasSize(512);
    }

    @Test
    void anUnsupportedProtocolVersionHeaderGets400() {
        GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
        c.initialize("2025-06-18");
        Answer a = c.post(c.message("tools/list", Json.object()), Map.of("MCP-Protocol-Version", "1999-01-01"));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body()).contains("1999-01-01").contains("2025-06-18");
        // A supported one (the negotiated one) is fine.
        assertThat(c.post(c.message("tools/list", Json.object())).status()).isEqualTo(200);
    }

    @Test
    void aMissingSessionHeaderGets400AndAnUnknownOrEndedSession404() {
        GatewayClient none = new GatewayClient(gateway.mcpUri(), null);
        assertThat(none.post(none.message("tools/list", Json.object())).status()).isEqualTo(400);
        assertThat(GatewayClient.raw(gateway.mcpUri(), "GET", Map.of("Accept", "text/event-stream"), null).status())
                .as("GET without a session").isEqualTo(400);
        assertThat(GatewayClient.raw(gateway.mcpUri(), "DELETE", Map.of(), null).status())
                .as("DELETE without a session").isEqualTo(400);

        GatewayClient unknown = new GatewayClient(gateway.mcpUri(), null);
        unknown.useSession("AAAAAAAAAAAAAAAAAAAAAA");
        Answer a = unknown.post(unknown.message("tools/list", Json.object()));
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.body()).contains("Session not found");
        assertThat(unknown.delete()).isEqualTo(404);

        GatewayClient ended = new GatewayClient(gateway.mcpUri(), null);
        ended.initialize();
        assertThat(ended.toolNames()).contains("t__echo");
        assertThat(ended.delete()).isEqualTo(200);
        assertThat(ended.post(ended.message("tools/list", Json.object())).status()).isEqualTo(404);
        assertThat(ended.delete()).isEqualTo(404);
    }

    @Test
    void initializeEchoesEachSupportedVersionAndCounterOffersAnUnknownOne() {
        Set<String> sessions = new HashSet<>();
        for (String version : List.of("2025-03-26", "2025-06-18", "2025-11-25")) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            JsonNode result = c.initialize(version);
            assertThat(result.path("protocolVersion").asText()).isEqualTo(version);
            assertThat(result.path("capabilities").path("tools").path("listChanged").asBoolean()).isTrue();
            assertThat(result.path("serverInfo").path("name").asText()).isEqualTo("mcp-pool");
            assertThat(c.toolNames()).as("works with %s", version).contains("t__echo");
            sessions.add(c.sessionId());
        }
        assertThat(sessions).hasSize(3).doesNotContainNull();

        GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
        Answer a = c.initializeRaw("2024-01-01");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.response().path("result").path("protocolVersion").asText()).isEqualTo("2025-11-25");
    }

    @Test
    void theGetStreamReceivesToolsListChanged() throws Exception {
        GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
        c.initialize();
        List<String> before = c.toolNames();
        try (GatewayClient.Events events = c.openStream()) {
            assertThat(events.status()).isEqualTo(200);
            // One GET stream per session.
            try (GatewayClient.Events second = c.openStream()) {
                assertThat(second.status()).isEqualTo(409);
            }
            JsonNode added = c.call("t__notify_tools_changed", Map.of());
            assertThat(added.path("result").path("isError").asBoolean()).as("%s", added).isFalse();
            JsonNode changed = events.await("notifications/tools/list_changed", Duration.ofSeconds(15));
            assertThat(changed).as("list_changed on the GET stream; got %s", events.pending()).isNotNull();
            List<String> after = c.toolNames();
            assertThat(after).hasSize(before.size() + 1).containsAll(before);
            assertThat(after).anyMatch(n -> n.startsWith("t__extra"));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static GatewayClient.RawAnswer post(Map<String, String> headers, String body) {
        Map<String, String> all = new java.util.LinkedHashMap<>(JSON);
        all.putAll(headers);
        return GatewayClient.raw(gateway.mcpUri(), "POST", all, body);
    }

    private static JsonNode initParams(String version) {
        var p = Json.object().put("protocolVersion", version);
        p.putObject("capabilities");
        p.putObject("clientInfo").put("name", "raw").put("version", "1");
        return p;
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        return f.orTimeout(GatewayClient.TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
    }
}
