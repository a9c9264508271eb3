package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.config.ReloadResult;
import io.mcppool.gateway.Gateway;
import io.mcppool.it.gateway.GatewayClient.Answer;
import io.mcppool.status.EndpointStatus;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, acceptance 7, and draining: an edited config file reaches connected clients ({@code list_changed},
 * then the new tools); a broken edit is rejected and the running servers keep serving; a server removed by a
 * reload finishes its calls in flight; {@code drainAndStop()} (SIGTERM) lets a call in flight finish and refuses
 * new sessions meanwhile.
 */
class GatewayReloadTest {
    @TempDir
    Path dir;

    @Test
    void aServerAddedToTheFileReachesAConnectedClient() throws Exception {
        try (TestkitHttpServer a = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer b = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, config(a.url(), null))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            assertThat(c.toolNames()).contains("a__echo").noneMatch(n -> n.startsWith("b__"));
            try (GatewayClient.Events events = c.openStream()) {
                assertThat(events.status()).isEqualTo(200);
                GatewayFiles.write(dir, config(a.url(), b.url())); // the watcher notices; nobody calls reload()

                JsonNode changed = events.await("notifications/tools/list_changed", Duration.ofSeconds(20));
                assertThat(changed).as("list_changed after the edit; got %s", events.pending()).isNotNull();
                assertThat(c.toolNames()).contains("a__echo", "b__echo");
                assertThat(c.call("b__echo", Map.of("message", "new")).path("result").path("content").path(0)
                        .path("text").asText()).isEqualTo("new");
                assertThat(gateway.lastReloadError()).isEmpty();
            }
        }
    }

    @Test
    void aBrokenEditIsRejectedAndTheRunningServersKeepServing() throws Exception {
        try (TestkitHttpServer a = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer b = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, config(a.url(), null))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            List<String> tools = c.toolNames();

            // Not YAML at all.
            GatewayFiles.write(dir, config(a.url(), null) + "  b: { url: [unclosed\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.lastReloadError().isPresent());
            assertServing(gateway, c, tools);

            // YAML, but a value the loader refuses: the error names the field.
            GatewayFiles.write(dir, config(a.url(), null) + "  b: { url: \"ftp://127.0.0.1/mcp\" }\n");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> gateway.lastReloadError().orElse("").contains("servers.b.url"));
            assertServing(gateway, c, tools);
            JsonNode status = GatewayClient.parse(GatewayOpsTest.get(gateway.baseUri().resolve("/api/status")).body());
            assertThat(status.path("gateway").path("lastReloadError").asText()).contains("servers.b.url");

            // A good edit after the broken ones is taken, and clears the error.
            GatewayFiles.write(dir, config(a.url(), b.url()));
            await().atMost(Duration.ofSeconds(20)).until(() -> gateway.lastReloadError().isEmpty());
            assertThat(c.toolNames()).contains("a__echo", "b__echo");
        }
    }

    @Test
    void aServerRemovedByAReloadFinishesItsCallInFlight() throws Exception {
        try (TestkitHttpServer a = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer slow = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, """
                     servers:
                       a: { url: "%s" }
                       slow: { url: "%s" }
                     gateway: { port: 0, watchConfig: false }
                     """.formatted(a.url(), slow.url()))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            // Listed first: the outstanding request awaited below must be this call, not the catalog's listing of
            // 'slow' (on a loaded machine the reload could otherwise remove 'slow' before the call was sent).
            await().atMost(Duration.ofSeconds(30)).until(() -> c.toolNames().contains("slow__sleep"));
            CompletableFuture<Answer> call = c.callAsync("slow__sleep", Map.of("ms", 2_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> outstanding(gateway, "slow") > 0);

            GatewayFiles.write(dir, config(a.url(), null));
            Optional<ReloadResult> result = gateway.reload();
            assertThat(result).isPresent();
            assertThat(result.get().removed()).containsExactly("slow");
            assertThat(call).as("the reload does not wait for the drain").isNotDone();

            Answer answer = call.get(30, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.response().path("result").path("content").path(0).path("text").asText())
                    .as("%s", answer.body()).isEqualTo("slept 2000ms");

            // New calls find the server gone.
            assertThat(c.call("slow__echo", Map.of("message", "x")).path("error").path("message").asText())
                    .isEqualTo("Unknown tool: slow__echo");
            assertThat(c.toolNames()).noneMatch(n -> n.startsWith("slow__"));
            await().atMost(Duration.ofSeconds(15)).until(() -> slow.sessionCount() == 0);
        }
    }

    /**
     * {@code docs/configuration.md}: {@code gateway.drainTimeout} is how long in-flight calls may finish "on SIGTERM,
     * or when a reload removes a server". Here it is long and the pool's {@code shutdownGrace} short.
     */
    @Test
    void aServerRemovedByAReloadDrainsForTheGatewaysDrainTimeout() throws Exception {
        try (TestkitHttpServer a = TestkitHttpServer.start(TestkitOptions.defaults());
             TestkitHttpServer slow = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = GatewayFiles.start(dir, """
                     shutdownGrace: 200ms
                     servers:
                       a: { url: "%s" }
                       slow: { url: "%s" }
                     gateway: { port: 0, watchConfig: false, drainTimeout: 20s }
                     """.formatted(a.url(), slow.url()))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            // Listed first: the outstanding request awaited below must be this call, not the catalog's listing of
            // 'slow' (on a loaded machine the reload could otherwise remove 'slow' before the call was sent).
            await().atMost(Duration.ofSeconds(30)).until(() -> c.toolNames().contains("slow__sleep"));
            CompletableFuture<Answer> call = c.callAsync("slow__sleep", Map.of("ms", 2_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> outstanding(gateway, "slow") > 0);
            GatewayFiles.write(dir, """
                    shutdownGrace: 200ms
                    servers:
                      a: { url: "%s" }
                    gateway: { port: 0, watchConfig: false, drainTimeout: 20s }
                    """.formatted(a.url()));
            assertThat(gateway.reload().orElseThrow().removed()).containsExactly("slow");

            Answer answer = call.get(30, TimeUnit.SECONDS);
            assertThat(answer.response().path("result").path("content").path(0).path("text").asText())
                    .as("%s", answer.body()).isEqualTo("slept 2000ms");
        }
    }

    @Test
    void drainAndStopLetsACallInFlightFinish() throws Exception {
        Set<Long> before = GatewaySessionsTest.testkitProcesses();
        Gateway gateway = GatewayFiles.start(dir, """
                servers:
                  testkit: %s
                gateway: { port: 0, watchConfig: false, drainTimeout: 20s }
                """.formatted(GatewayFiles.stdioTestkit("")));
        try {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            CompletableFuture<Answer> call = c.callAsync("testkit__sleep", Map.of("ms", 3_000));
            await().atMost(Duration.ofSeconds(20)).until(() -> outstanding(gateway, "testkit") > 0);

            long drainStarted = System.nanoTime();
            CompletableFuture<Void> drained = CompletableFuture.runAsync(gateway::drainAndStop,
                    r -> Thread.ofVirtual().start(r));
            await().atMost(Duration.ofSeconds(5)).until(gateway::draining);
            if (!call.isDone()) {
                // While draining: no new session, and not ready; the call in flight goes on.
                assertThat(new GatewayClient(gateway.mcpUri(), null).initializeRaw("2025-11-25").status())
                        .isEqualTo(503);
                assertThat(GatewayOpsTest.get(gateway.baseUri().resolve("/readyz")).statusCode()).isEqualTo(503);
            }

            Answer answer = call.get(30, TimeUnit.SECONDS);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.response().path("result").path("content").path(0).path("text").asText())
                    .as("%s", answer.body()).isEqualTo("slept 3000ms");
            drained.get(30, TimeUnit.SECONDS);
            System.out.printf("GatewayReloadTest: drainAndStop took %d ms%n",
                    (System.nanoTime() - drainStarted) / 1_000_000);

            // Stopped: the port is closed and the upstream process is gone.
            assertThatThrownBy(() -> GatewayClient.HTTP.send(java.net.http.HttpRequest.newBuilder(gateway.mcpUri())
                    .timeout(Duration.ofSeconds(5)).GET().build(), java.net.http.HttpResponse.BodyHandlers.discarding()))
                    .isInstanceOf(ConnectException.class);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> GatewaySessionsTest.newTestkitProcesses(before).isEmpty());
        } finally {
            gateway.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void assertServing(Gateway gateway, GatewayClient c, List<String> tools) {
        assertThat(gateway.pool().servers()).containsExactly("a");
        assertThat(c.toolNames()).isEqualTo(tools);
        assertThat(c.call("a__echo", Map.of("message", "still here")).path("result").path("content").path(0)
                .path("text").asText()).isEqualTo("still here");
        GatewayClient fresh = new GatewayClient(gateway.mcpUri(), null);
        fresh.initialize();
        assertThat(fresh.toolNames()).isEqualTo(tools);
    }

    /**
     * A config with server {@code a}, and {@code b} when its URL is given; the watcher on. {@code b} is sticky: a
     * server with no session until a client calls it must be listed when it arrives all the same.
     */
    private static String config(String a, String b) {
        return """
                gateway: { port: 0, watchConfig: true }
                servers:
                  a: { url: "%s" }
                """.formatted(a) + (b == null ? "" : "  b: { url: \"%s\", pool: { mode: sticky } }\n".formatted(b));
    }

    private static int outstanding(Gateway gateway, String server) {
        return gateway.pool().endpoints(server).stream().mapToInt(EndpointStatus::outstanding).sum();
    }
}
