package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.it.gateway.interop.GatewayProcess;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GatewayStreamBoundsTest}'s first case against the gateway as users run it, {@code java -jar mcp-pool.jar
 * serve}: a GET stream nobody reads while a sticky upstream floods it. The gateway process's live heap (read with
 * {@code jcmd GC.class_histogram}, which collects first) stays bounded, its {@code /metrics} counts the stream it
 * closed, and its log says so once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GatewayServeSlowClientTest {
    private static final String CLOSED = "mcp_pool_gateway_streams_closed_total{reason=\"slow_client\"}";

    @TempDir
    Path dir;

    @Test
    void theServeProcessClosesAGetStreamNobodyReadsAndKeepsItsHeapBounded() throws Exception {
        try (TestkitHttpServer upstream = TestkitHttpServer.start(TestkitOptions.defaults())) {
            Path config = GatewayFiles.write(dir, """
                    servers:
                      t: { url: "%s", pool: { mode: sticky }, health: { enabled: false } }
                    gateway: { watchConfig: false }
                    """.formatted(upstream.url()));
            Path bin = Files.createDirectories(dir.resolve("empty-bin"));
            try (GatewayProcess gateway = GatewayProcess.serve(dir, Map.of("PATH", bin.toString(), "HOME",
                    dir.toString()), "--config", config.toString())) {
                GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
                c.initialize();
                log(c, "warm-up");
                long baseline = Math.min(gateway.liveHeapBytes(), gateway.liveHeapBytes());

                String message = "m".repeat(256 * 1024);
                int calls = 0;
                try (Socket stalled = GatewayStreamBoundsTest.stalledGetStream(gateway.mcpUri(), c.sessionId())) {
                    while (calls < 400 && (calls % 10 != 0 || closed(gateway) < 1)) {
                        log(c, message);
                        calls++;
                    }
                    long growth = gateway.liveHeapBytes() - baseline;
                    System.out.printf("GatewayServeSlowClientTest: %d calls of %d KiB; the serve process's live heap"
                            + " grew by %s; %s %.0f%n", calls, message.length() / 1024, HeapUse.mib(growth), CLOSED,
                            closed(gateway));
                    assertThat(growth).as("live heap growth of the serve process after %d calls (%s)", calls,
                            HeapUse.mib(growth)).isLessThan(48 * HeapUse.MIB);
                    assertThat(closed(gateway)).as("%s after %d calls", CLOSED, calls).isEqualTo(1.0);
                    assertThat(GatewayStreamBoundsTest.readsToTheEnd(stalled)).isTrue();
                }
                assertThat(gateway.stderr().lines().filter(l -> l.contains(" WARN ") && l.contains("GET stream")
                        && l.contains(c.sessionId())).toList()).as(gateway.stderr()).hasSize(1);
            }
        }
    }

    private static void log(GatewayClient c, String message) {
        GatewayClient.Answer a = c.post(c.message("tools/call", GatewayClient.callParams("t__log",
                Map.of("message", message, "level", "debug"))), GatewayStreamBoundsTest.JSON_ONLY);
        assertThat(a.status()).isEqualTo(200);
    }

    /** The counter as {@code /metrics} shows it; 0 when it is not there. */
    private static double closed(GatewayProcess gateway) throws IOException, InterruptedException {
        URI metrics = gateway.mcpUri().resolve("/metrics");
        HttpResponse<String> r = GatewayClient.HTTP.send(HttpRequest.newBuilder(metrics).timeout(GatewayClient.TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.body().lines().filter(l -> l.startsWith(CLOSED + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(CLOSED.length() + 1).trim())).orElse(0.0);
    }
}
