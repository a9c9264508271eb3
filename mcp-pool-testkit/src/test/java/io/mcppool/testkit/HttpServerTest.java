package io.mcppool.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Streamable HTTP runner, spoken to with java.net.http. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpServerTest {
    private TestkitHttpServer server;
    private HttpPeer peer;

    @BeforeEach
    void start() {
        server = TestkitHttpServer.start(TestkitOptions.defaults());
        peer = new HttpPeer(server.url());
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void sessionLifecycle() {
        assertThat(server.url()).startsWith("http://127.0.0.1:").endsWith("/mcp");
        JsonNode init = peer.initialize();
        assertThat(init.path("serverInfo").path("name").asText()).isEqualTo("mcp-pool-testkit");
        assertThat(peer.sessionId).isNotBlank();

        HttpResponse<String> echo = peer.post(Wire.request(1, "tools/call",
                Wire.toolCall("echo", Wire.args("message", "over http"))), Map.of("X-Test", "yes"));
        assertThat(echo.statusCode()).isEqualTo(200);
        assertThat(echo.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Wire.text(HttpPeer.read(echo.body()))).isEqualTo("over http");
        assertThat(server.lastHeaders()).containsEntry("x-test", "yes").containsEntry("mcp-session-id", peer.sessionId);
        assertThat(server.requestCount()).isEqualTo(3);

        JsonNode stats = HttpPeer.read(peer.post(Wire.request(2, "tools/call", Wire.toolCall("stats", null))).body())
                .path("result").path("structuredContent");
        assertThat(stats.path("sessionId").asText()).isEqualTo(peer.sessionId);
        assertThat(stats.path("lastHeaders").path("x-test").asText()).isEqualTo("yes");

        // a request without the header, and one for a session the server forgot
        String id = peer.sessionId;
        peer.sessionId = null;
        assertThat(peer.post(Wire.request(3, "tools/list", null)).statusCode()).isEqualTo(400);
        peer.sessionId = id;
        assertThat(server.expireAllSessions()).isEqualTo(1);
        HttpResponse<String> gone = peer.post(Wire.request(4, "tools/list", null));
        assertThat(gone.statusCode()).isEqualTo(404);

        server.unknownSessionReply(TestkitHttpServer.UnknownSessionReply.BAD_REQUEST);
        HttpResponse<String> likeReference = peer.post(Wire.request(5, "tools/list", null));
        assertThat(likeReference.statusCode()).isEqualTo(400);
        assertThat(HttpPeer.read(likeReference.body()).path("error").path("message").asText())
                .isEqualTo("Bad Request: No valid session ID provided");

        // a new session, then DELETE ends it
        peer.initialize();
        assertThat(peer.sessionId).isNotEqualTo(id);
        assertThat(server.sessionCount()).isEqualTo(1);
        assertThat(peer.delete().statusCode()).isEqualTo(200);
        assertThat(server.sessionCount()).isZero();
        server.unknownSessionReply(TestkitHttpServer.UnknownSessionReply.NOT_FOUND);
        assertThat(peer.post(Wire.request(6, "tools/list", null)).statusCode()).isEqualTo(404);
    }

    @Test
    void progressTravelsOnAnSseStreamThatTheResponseEnds() {
        peer.initialize();
        HttpResponse<String> r = peer.post(Wire.request(1, "tools/call", Wire.withProgressToken(
                Wire.toolCall("sleep", Wire.args("ms", 300, "steps", 3)), 99)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        List<JsonNode> messages = HttpPeer.messages(r);
        assertThat(messages).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(messages.get(i).path("method").asText()).isEqualTo("notifications/progress");
            assertThat(messages.get(i).path("params").path("progressToken").asInt()).isEqualTo(99);
        }
        assertThat(Wire.text(messages.get(3))).isEqualTo("slept 300ms");
        assertThat(r.body()).contains("event: message\ndata: ");

        List<JsonNode> log = HttpPeer.messages(peer.post(Wire.request(2, "tools/call",
                Wire.toolCall("log", Wire.args("message", "hello log")))));
        assertThat(log).hasSize(2);
        assertThat(log.get(0).path("method").asText()).isEqualTo("notifications/message");
        assertThat(log.get(0).path("params").path("data").asText()).isEqualTo("hello log");
        assertThat(Wire.text(log.get(1))).isEqualTo("logged");
    }

    @Test
    void serverToClientRequestIsAnsweredByPost() {
        peer.initialize();
        HttpResponse<Stream<String>> r = peer.postStreaming(Wire.request(1, "tools/call", Wire.toolCall("roots", null)));
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        Iterator<String> lines = r.body().iterator();
        JsonNode rootsRequest = HttpPeer.nextEvent(lines);
        assertThat(rootsRequest.path("method").asText()).isEqualTo("roots/list");

        var answer = Json.object().put("jsonrpc", "2.0");
        answer.set("id", rootsRequest.get("id"));
        answer.putObject("result").putArray("roots").addObject().put("uri", "file:///work").put("name", "work");
        assertThat(peer.post(answer).statusCode()).isEqualTo(202);

        JsonNode result = HttpPeer.nextEvent(lines);
        assertThat(result.path("id").asInt()).isEqualTo(1);
        assertThat(Wire.text(result)).contains("file:///work");
        assertThat(HttpPeer.nextEvent(lines)).as("stream ends after the response").isNull();
    }

    @Test
    void getStreamCarriesListChangedFromOtherSessions() throws Exception {
        peer.initialize();
        HttpPeer other = new HttpPeer(server.url());
        other.initialize();

        HttpResponse<Stream<String>> stream = peer.openGetStream();
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(peer.openGetStream().statusCode()).as("one GET stream per session").isEqualTo(409);
        Iterator<String> lines = stream.body().iterator();
        CompletableFuture<JsonNode> firstEvent = CompletableFuture.supplyAsync(() -> HttpPeer.nextEvent(lines));

        List<JsonNode> own = HttpPeer.messages(other.post(Wire.request(1, "tools/call",
                Wire.toolCall("notify_tools_changed", null))));
        assertThat(own.get(0).path("method").asText()).isEqualTo("notifications/tools/list_changed");
        assertThat(Wire.text(own.get(1))).isEqualTo("added extra_1");

        JsonNode event = firstEvent.get(20, TimeUnit.SECONDS);
        assertThat(event.path("method").asText()).isEqualTo("notifications/tools/list_changed");
        JsonNode tools = HttpPeer.read(peer.post(Wire.request(2, "tools/list", null)).body());
        assertThat(tools.toString()).contains("extra_1");

        // DELETE ends the session and with it the GET stream
        assertThat(peer.delete().statusCode()).isEqualTo(200);
        assertThat(CompletableFuture.supplyAsync(() -> HttpPeer.nextEvent(lines)).get(20, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void originAndProtocolVersionAreChecked() {
        HttpResponse<String> evil = peer.post(Wire.request(0, "initialize", Wire.initializeParams("2025-11-25")),
                Map.of("Origin", "http://evil.example.com"));
        assertThat(evil.statusCode()).isEqualTo(403);
        HttpResponse<String> local = peer.post(Wire.request(0, "initialize", Wire.initializeParams("2025-11-25")),
                Map.of("Origin", "http://localhost:3000"));
        assertThat(local.statusCode()).isEqualTo(200);

        peer.initialize();
        HttpResponse<String> badVersion = peer.post(Wire.request(1, "tools/list", null),
                Map.of("MCP-Protocol-Version", "1999-01-01"));
        assertThat(badVersion.statusCode()).isEqualTo(400);
        assertThat(peer.post(Wire.request(2, "tools/list", null)).statusCode()).isEqualTo(200);
        assertThat(peer.post(Json.object().put("not", "json-rpc")).statusCode()).isEqualTo(400);
    }

    @Test
    void cancellationEndsTheCallsStream() throws Exception {
        peer.initialize();
        CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(() -> peer.post(
                Wire.request(5, "tools/call", Wire.toolCall("sleep", Wire.args("ms", 60_000)))));
        await().atMost(Duration.ofSeconds(20)).until(() -> server.server().stats().path("executions").has("sleep"));
        assertThat(peer.post(Wire.notification("notifications/cancelled", Json.object().put("requestId", 5)))
                .statusCode()).isEqualTo(202);
        HttpResponse<String> ended = call.get(20, TimeUnit.SECONDS);
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(HttpPeer.messages(ended)).isEmpty();
        assertThat(server.server().stats().path("cancelled").toString()).isEqualTo("[5]");
    }

    @Test
    void stopAndStartOnTheSamePort() {
        peer.initialize();
        peer.post(Wire.request(1, "tools/call", Wire.toolCall("record", Wire.args("key", "r"))));
        int port = server.port();
        server.stop();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> peer.post(Wire.request(2, "tools/list", null)))
                .isInstanceOf(UncheckedIOException.class).hasCauseInstanceOf(ConnectException.class);
        server.start();
        assertThat(server.port()).isEqualTo(port);
        assertThat(peer.post(Wire.request(3, "tools/list", null)).statusCode()).as("sessions are forgotten").isEqualTo(404);
        peer.initialize();
        JsonNode r = HttpPeer.read(peer.post(Wire.request(4, "tools/call", Wire.toolCall("record", Wire.args("key", "r"))))
                .body());
        assertThat(Wire.text(r)).as("server state survives a restart").isEqualTo("2");
    }

    @Test
    void respondWithAnswersTheNextPostsWithAStatusInsteadOfTheServer() {
        peer.initialize();
        long before = System.nanoTime();
        server.respondWith(429, Duration.ofMillis(1500), 2);
        HttpResponse<String> first = peer.post(Wire.request(1, "tools/call", Wire.toolCall("record", Wire.args("key", "t"))));
        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).as("whole seconds, rounded up").hasValue("2");
        assertThat(HttpPeer.read(first.body()).path("id").asLong()).isEqualTo(1);
        assertThat(peer.post(Wire.notification("notifications/cancelled", Wire.args("requestId", 9))).statusCode())
                .as("any POST counts").isEqualTo(429);
        HttpResponse<String> third = peer.post(Wire.request(2, "tools/call", Wire.toolCall("record", Wire.args("key", "t"))));
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(Wire.text(HttpPeer.read(third.body()))).as("the refused call did not run").isEqualTo("1");
        assertThat(server.cannedReplies()).extracting(TestkitHttpServer.CannedReply::method)
                .containsExactly("tools/call", "notifications/cancelled");
        assertThat(server.cannedReplies()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.atNanos()).isGreaterThan(before);
        });

        // only one method, without Retry-After; other POSTs and GETs are handled as usual
        server.respondWith(503, null, 1, "tools/call");
        assertThat(peer.post(Wire.request(3, "ping", null)).statusCode()).isEqualTo(200);
        HttpResponse<String> busy = peer.post(Wire.request(4, "tools/call", Wire.toolCall("echo", Wire.args("message", "x"))));
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).isEmpty();
        assertThat(peer.post(Wire.request(5, "tools/call", Wire.toolCall("echo", Wire.args("message", "x")))).statusCode())
                .isEqualTo(200);

        // every POST until cleared, across a restart
        server.respondWith(503, Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            assertThat(peer.post(Wire.request(10 + i, "ping", null)).statusCode()).isEqualTo(503);
        }
        server.stop();
        server.start();
        assertThat(peer.post(Wire.request(20, "initialize", Wire.initializeParams("2025-11-25"))).statusCode())
                .isEqualTo(503);
        server.clearRespondWith();
        peer.initialize();
        assertThat(server.cannedReplies()).hasSize(7);
        assertThatThrownBy(() -> server.respondWith(429, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void respondWithIsThreadSafe() throws Exception {
        peer.initialize();
        server.respondWith(429, null, 50, "ping");
        List<Integer> all;
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Integer>> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long id = 100 + i;
                statuses.add(CompletableFuture.supplyAsync(() -> peer.post(Wire.request(id, "ping", null)).statusCode(),
                        threads));
            }
            all = statuses.stream().map(CompletableFuture::join).toList();
        }
        assertThat(all.stream().filter(s -> s == 429).count()).isEqualTo(50);
        assertThat(all.stream().filter(s -> s == 200).count()).isEqualTo(150);
        assertThat(server.cannedReplies()).hasSize(50);
    }

    @Test
    void crashStopsTheServer() {
        peer.initialize();
        try {
            peer.post(Wire.request(1, "tools/call", Wire.toolCall("crash", null)));
        } catch (UncheckedIOException expected) {
            // the connection may be cut before any answer
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !server.isRunning());
        server.start();
        peer.initialize();
    }

    @Test
    void stopDoesNotHangOnRequestsThatAreNeverAnswered() throws Exception {
        TestkitHttpServer hanging = TestkitHttpServer.start(TestkitOptions.builder().hangInitialize(true).build());
        try {
            HttpPeer p = new HttpPeer(hanging.url());
            CompletableFuture<HttpResponse<String>> init = CompletableFuture.supplyAsync(
                    () -> p.post(Wire.request(0, "initialize", Wire.initializeParams("2025-11-25"))));
            await().atMost(Duration.ofSeconds(20)).until(() -> hanging.sessionCount() == 1);
            Thread.sleep(200);
            assertThat(init).isNotDone();
            long start = System.nanoTime();
            hanging.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            // the waiting client is released one way or another: an empty stream or a cut connection
            try {
                assertThat(HttpPeer.messages(init.get(20, TimeUnit.SECONDS))).isEmpty();
            } catch (java.util.concurrent.ExecutionException cut) {
                assertThat(cut.getCause()).isInstanceOf(UncheckedIOException.class);
            }
        } finally {
            hanging.stop();
        }
    }

    @Test
    void slowCallsOnOneSessionRunConcurrently() throws Exception {
        peer.initialize();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int id = 100 + i;
            calls.add(CompletableFuture.supplyAsync(() -> peer.post(Wire.request(id, "tools/call",
                    Wire.toolCall("sleep", Wire.args("ms", 500))))));
        }
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            assertThat(Wire.text(HttpPeer.read(c.get(20, TimeUnit.SECONDS).body()))).isEqualTo("slept 500ms");
        }
        // twenty half-second calls one after another would take ten seconds
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void commandLineHttpMode() throws Exception {
        Process p = new ProcessBuilder(TestkitCommand.http(0)).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+)/mcp)");
            // the server's first line; only a JVM warning (sent to stderr by the JVM flags) could precede it
            CompletableFuture<Matcher> first = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = err.readLine(); line != null; line = err.readLine()) {
                        Matcher m = listening.matcher(line);
                        if (m.matches()) {
                            return m;
                        }
                    }
                    throw new AssertionError("server exited without printing its URL");
                } catch (java.io.IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Matcher m = first.get(30, TimeUnit.SECONDS);
            HttpPeer cli = new HttpPeer(m.group(1));
            cli.initialize();
            assertThat(Wire.text(HttpPeer.read(cli.post(Wire.request(1, "tools/call",
                    Wire.toolCall("echo", Wire.args("message", "cli")))).body()))).isEqualTo("cli");
            p.destroy();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
