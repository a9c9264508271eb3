package io.mcppool.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.mcppool.it.interop.LogCapture;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: a client that opens its GET stream and never reads it costs the gateway a bounded amount of memory.
 * An upstream that keeps sending the client notifications (a sticky server's log messages, which go to the GET
 * stream when no POST stream is open) fills the stream's queue to its limit, in messages or in bytes; then the
 * gateway closes that stream, logs one WARN line naming the client and session, and counts it in
 * {@code mcp_pool_gateway_streams_closed_total{reason="slow_client"}}. The callers that sent the notifications never
 * wait for it.
 */
class GatewayStreamBoundsTest {
    static final String CLOSED = "mcp.pool.gateway.streams.closed";
    static final Map<String, String> JSON_ONLY = Map.of("Accept", "application/json");

    @TempDir
    Path dir;

    /** 256 KiB log messages, about 100 MiB in all unless the stream is closed first; the default 8 MiB limit holds. */
    @Test
    void aGetStreamNobodyReadsIsClosedAtItsByteLimitAndTheHeapStaysBounded() throws Exception {
        try (TestkitHttpServer upstream = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = start(upstream, "");
             LogCapture logs = LogCapture.of("io.mcppool.gateway")) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            log(c, "warm-up"); // the sticky upstream session and its handler exist before the baseline
            long baseline = HeapUse.baseline();

            String message = "m".repeat(256 * 1024);
            int calls;
            try (Socket stalled = stalledGetStream(gateway.mcpUri(), c.sessionId())) {
                calls = flood(c, gateway, message, 400);
                long growth = HeapUse.awaitGrowthAtMost(baseline, 32 * HeapUse.MIB, Duration.ofSeconds(30),
                        "the heap after " + calls + " calls");
                System.out.printf("GatewayStreamBoundsTest: GET stream closed after %d calls of %d KiB; heap growth %s%n",
                        calls, message.length() / 1024, HeapUse.mib(growth));
                assertThat(closedStreams(gateway)).as("streams closed for a slow client after %d calls", calls)
                        .isEqualTo(1.0);
                assertThat(readsToTheEnd(stalled)).as("the stalled connection ends").isTrue();
            }
            assertThat(logs.lines()).as("one WARN line naming the client and the session")
                    .filteredOn(l -> l.contains(c.sessionId()) && l.contains("anonymous")).hasSize(1);

            // The session is unharmed: it may open a new GET stream and still gets its notifications there.
            try (GatewayClient.Events events = c.openStream()) {
                assertThat(events.status()).isEqualTo(200);
                log(c, "after");
                JsonNode n = events.await("notifications/message", Duration.ofSeconds(15));
                assertThat(n).as("a log message on the new stream; got %s", events.pending()).isNotNull();
            }
        }
    }

    /** Small messages: the message limit (50 here) closes the stream long before the byte limit would. */
    @Test
    void aGetStreamNobodyReadsIsClosedAtItsMessageLimit() throws Exception {
        try (TestkitHttpServer upstream = TestkitHttpServer.start(TestkitOptions.defaults());
             Gateway gateway = start(upstream, ", maxStreamMessages: 50");
             LogCapture logs = LogCapture.of("io.mcppool.gateway")) {
            GatewayClient c = new GatewayClient(gateway.mcpUri(), null);
            c.initialize();
            try (Socket stalled = stalledGetStream(gateway.mcpUri(), c.sessionId())) {
                int calls = flood(c, gateway, "m".repeat(8 * 1024), 1_500);
                System.out.printf("GatewayStreamBoundsTest: GET stream closed at 50 messages after %d calls%n", calls);
                assertThat(closedStreams(gateway)).as("streams closed after %d calls", calls).isEqualTo(1.0);
                assertThat(readsToTheEnd(stalled)).isTrue();
            }
            assertThat(logs.lines()).filteredOn(l -> l.contains(c.sessionId())).singleElement().asString()
                    .contains("50 messages");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A gateway over {@code upstream} as a sticky server, with {@code moreGateway} keys (", key: value"). */
    private Gateway start(TestkitHttpServer upstream, String moreGateway) {
        return GatewayFiles.start(dir, """
                servers:
                  t: { url: "%s", pool: { mode: sticky }, health: { enabled: false } }
                gateway: { port: 0, watchConfig: false%s }
                """.formatted(upstream.url(), moreGateway));
    }

    /**
     * Calls {@code t__log} (JSON answers, so the log messages go to the GET stream) until the gateway has closed a
     * stream for a slow client, at most {@code max} times; the number of calls made. Each call must be answered: a
     * stalled stream never holds up the callers.
     */
    private static int flood(GatewayClient c, Gateway gateway, String message, int max) {
        int calls = 0;
        while (calls < max && closedStreams(gateway) < 1) {
            log(c, message);
            calls++;
        }
        // A few more once it is closed: nothing queues for a stream that is gone.
        for (int i = 0; i < 10; i++) {
            log(c, message);
        }
        return calls;
    }

    private static void log(GatewayClient c, String message) {
        GatewayClient.Answer a = c.post(c.message("tools/call", GatewayClient.callParams("t__log",
                Map.of("message", message, "level", "debug"))), JSON_ONLY);
        assertThat(a.status()).as("%s", a.body().length() > 300 ? a.body().substring(0, 300) : a.body())
                .isEqualTo(200);
        assertThat(a.response().path("result").path("content").path(0).path("text").asText()).isEqualTo("logged");
    }

    static double closedStreams(Gateway gateway) {
        Counter counter = gateway.registry().find(CLOSED).tag("reason", "slow_client").counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Opens the session's GET stream on a raw socket with a tiny receive buffer, reads the answer's head (so the
     * stream is known to be open) and then nothing more.
     */
    static Socket stalledGetStream(URI mcp, String sessionId) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(mcp.getHost(), mcp.getPort()), 5_000);
        s.setSoTimeout((int) GatewayClient.TIMEOUT.toMillis());
        OutputStream out = s.getOutputStream();
        out.write(("GET " + mcp.getRawPath() + " HTTP/1.1\r\nHost: " + mcp.getHost() + ":" + mcp.getPort()
                + "\r\nAccept: text/event-stream\r\nMcp-Session-Id: " + sessionId + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the GET stream ended before its head: " + head);
            }
            head.write(b);
        }
        assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
        return s;
    }

    /** Reads what the socket still holds until its end (true) or until the read timeout (false). */
    static boolean readsToTheEnd(Socket s) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try {
            InputStream in = s.getInputStream();
            while (System.nanoTime() < deadline) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the gateway: ended too
        }
    }
}
