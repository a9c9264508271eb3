package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.gateway.mcp.ClientSession;
import io.mcppool.protocol.Json;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a client that sends requests and never reads the answers costs the gateway a bounded amount of memory.
 * 60 calls of 10 MB results, each POSTed on a connection that is never read, would hold 600 MB of answers waiting to
 * be written; a session's responses waiting for its client are bounded by {@code gateway.maxUnreadResponseSize}
 * (64 MiB by default): past it the oldest are dropped and their connections closed, and the newest still goes out
 * to a client that reads it. The upstream is a stdio process, so the heap measured is the gateway's own.
 */
class GatewayUnreadResponsesTest {
    static final int CALLS = 60;
    static final int RESULT_BYTES = 10_000_000;

    @TempDir
    Path dir;

    @Test
    void sixtyTenMegabyteResultsNobodyReadsAreNotAllKept() throws Exception {
        try (Gateway gateway = GatewayFiles.start(dir, """
                     servers:
                       t: %s
                     gateway: { port: 0, watchConfig: false }
                     """.formatted(GatewayFiles.stdioTestkit("pool: { maxSessions: 1, maxConcurrentRequests: 64 },"
                     + " callTimeout: 240s, breaker: { enabled: false }, health: { enabled: false }")))) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            assertThat(c.call("t__huge", Map.of("bytes", 1000)).path("result").path("content").path(0)
                    .path("text").asText()).hasSize(1000); // warm: the upstream's sessions are open
            ClientSession session = gateway.server().sessions().all().iterator().next();
            long baseline = HeapUse.baseline();

            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < CALLS; i++) {
                    stalled.add(postUnread(gateway.mcpUri(), c, Json.write(c.message("tools/call",
                            GatewayClient.callParams("t__huge", Map.of("bytes", RESULT_BYTES))))));
                }
                await().atMost(Duration.ofSeconds(240)).untilAsserted(() -> {
                    assertThat(executions(c, "huge")).as("huge calls the upstream ran").isEqualTo(CALLS + 1);
                    assertThat(session.hasInFlight()).as("calls still in flight at the gateway").isFalse();
                });
                // Read soon: Jetty's idle timeout (60 s) ends writes that make no progress, and is not the bound here.
                long growth = HeapUse.awaitGrowthAtMost(baseline, 160 * HeapUse.MIB, Duration.ofSeconds(10),
                        CALLS + " unread results of " + RESULT_BYTES + " bytes");
                System.out.printf("GatewayUnreadResponsesTest: %d unread results of %d MB; heap growth %s;"
                        + " %.0f dropped%n", CALLS, RESULT_BYTES / 1_000_000, HeapUse.mib(growth), dropped(gateway));
                // 64 MiB hold six of them: the others were dropped, oldest first (unless Jetty's idle timeout, 60 s
                // without progress, ended them before, which a slow machine may see).
                assertThat(dropped(gateway)).as("responses dropped for a slow client").isGreaterThan(0);
                // The oldest were dropped: their connections end.
                assertThat(GatewayStreamBoundsTest.readsToTheEnd(stalled.get(0))).isTrue();

                // The same session's client, reading now, still gets a result larger than what the others left.
                JsonNode big = c.call("t__huge", Map.of("bytes", RESULT_BYTES));
                assertThat(big.path("result").path("content").path(0).path("text").asText()).hasSize(RESULT_BYTES);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    /** POSTs {@code body} in {@code c}'s session on a new connection with a tiny receive buffer, and reads nothing. */
    private static Socket postUnread(URI mcp, GatewayClient c, String body) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(mcp.getHost(), mcp.getPort()), 5_000);
        s.setSoTimeout((int) GatewayClient.TIMEOUT.toMillis());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + mcp.getRawPath() + " HTTP/1.1\r\nHost: " + mcp.getHost() + ":" + mcp.getPort()
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream"
                + "\r\nMcp-Session-Id: " + c.sessionId() + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
        return s;
    }

    /** How often the upstream ran {@code tool}, by its {@code stats} tool (one session: the counts are its own). */
    private static int executions(GatewayClient c, String tool) {
        JsonNode stats = c.call("t__stats", Map.of()).path("result").path("structuredContent");
        return stats.path("executions").path(tool).asInt();
    }

    private static double dropped(Gateway gateway) {
        Counter counter = gateway.registry().find("mcp.pool.gateway.responses.dropped").tag("reason", "slow_client")
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
