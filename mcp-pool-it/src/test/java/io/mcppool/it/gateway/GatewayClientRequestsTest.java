package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.gateway.mcp.ClientSession;
import io.mcppool.protocol.Json;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: an upstream's requests to a client (here {@code elicitation/create} from a sticky server) that the client
 * never answers do not stay with the gateway. Each waits at most {@code gateway.clientRequestTimeout}, then the
 * upstream gets a JSON-RPC error and the client a {@code notifications/cancelled}; and a session has at most
 * {@code gateway.maxClientRequests} of them at once: one more is answered with an error at once and never reaches
 * the client.
 *
 * <p>The upstream (the testkit's conformance fixtures, a stdio process) waits 30 s for an answer itself, then fails the call with its
 * own message; the gateway's limits here are well under that, so the answers say which side gave up.
 */
class GatewayClientRequestsTest {
    static final int MAX = 4;
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void unansweredRequestsToTheClientTimeOutAndAreCappedPerSession() throws Exception {
        try (Gateway gateway = GatewayFiles.start(dir, """
                     servers:
                       conf: %s
                     gateway: { port: 0, watchConfig: false, clientRequestTimeout: %ds, maxClientRequests: %d }
                     """.formatted(GatewayFiles.stdioTestkit("pool: { mode: sticky }, health: { enabled: false }",
                     "--conformance"), TIMEOUT.toSeconds(), MAX))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            JsonNode capabilities = Json.object().set("elicitation", Json.object());
            c.initialize("2025-11-25", capabilities);
            ClientSession session = gateway.server().sessions().all().iterator().next();
            try (GatewayClient.Events events = c.openStream()) {
                // MAX calls, each of which makes the upstream ask the client something the client never answers.
                List<CompletableFuture<GatewayClient.Answer>> waiting = new ArrayList<>();
                for (int i = 0; i < MAX; i++) {
                    waiting.add(c.callAsync("conf__test_elicitation", Map.of("message", "who are you " + i)));
                }
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(session.pendingClientRequests())
                        .as("requests waiting for the client").isEqualTo(MAX));

                // Two more: over the cap, answered at once with an error, never forwarded.
                for (int i = 0; i < 2; i++) {
                    GatewayClient.Answer over = c.callAsync("conf__test_elicitation", Map.of("message", "one more"))
                            .get(30, TimeUnit.SECONDS);
                    assertThat(ids(over.messages(), "elicitation/create")).as("forwarded: %s", over.body()).isEmpty();
                    assertThat(errorText(over)).as("%s", over.body()).contains("maxClientRequests");
                }
                assertThat(session.pendingClientRequests()).as("still the first ones only").isEqualTo(MAX);

                // The first ones time out at the gateway, well before the upstream's own 30 s.
                List<JsonNode> seen = new ArrayList<>();
                for (CompletableFuture<GatewayClient.Answer> f : waiting) {
                    GatewayClient.Answer a = f.get(60, TimeUnit.SECONDS);
                    assertThat(errorText(a)).as("%s", a.body()).contains("clientRequestTimeout");
                    seen.addAll(a.messages());
                }
                assertThat(session.pendingClientRequests()).as("nothing left waiting for the client").isZero();
                assertThat(failed(gateway, "timeout")).isEqualTo(MAX);
                assertThat(failed(gateway, "too_many")).isEqualTo(2);

                // An upstream's request goes on the newest POST stream open (else the GET stream), so the calls'
                // streams and the GET stream together hold each request and the notice that withdraws it.
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    List<JsonNode> all = new ArrayList<>(seen);
                    all.addAll(events.pending());
                    List<String> asked = ids(all, "elicitation/create");
                    assertThat(asked).as("requests that reached the client").hasSize(MAX).doesNotHaveDuplicates();
                    assertThat(ids(all, "notifications/cancelled")).as("withdrawn").containsExactlyInAnyOrderElementsOf(
                            asked);
                });
            }

            // The session works on: a new request to the client is forwarded again.
            CompletableFuture<GatewayClient.Answer> again = c.callAsync("conf__test_elicitation",
                    Map.of("message", "again"));
            await().atMost(Duration.ofSeconds(30)).until(() -> session.pendingClientRequests() == 1);
            assertThat(again.get(60, TimeUnit.SECONDS).messages()).anyMatch(m -> "elicitation/create".equals(
                    m.path("method").asText()));
        }
    }

    /**
     * The ids in {@code messages} of the requests of {@code method}, or for {@code notifications/cancelled} the ids
     * they withdraw.
     */
    private static List<String> ids(List<JsonNode> messages, String method) {
        return messages.stream().filter(m -> method.equals(m.path("method").asText()))
                .map(m -> (m.has("id") ? m.path("id") : m.path("params").path("requestId")).asText()).toList();
    }

    /** The text of the call's error result (the upstream reports a failed elicitation as an isError result). */
    private static String errorText(GatewayClient.Answer a) {
        JsonNode response = a.response();
        assertThat(response.path("result").path("isError").asBoolean()).as("an error result: %s", response).isTrue();
        return response.path("result").path("content").path(0).path("text").asText();
    }

    private static double failed(Gateway gateway, String reason) {
        Counter counter = gateway.registry().find("mcp.pool.gateway.client.requests.failed").tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
