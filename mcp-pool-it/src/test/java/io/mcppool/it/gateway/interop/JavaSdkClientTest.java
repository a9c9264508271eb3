package io.mcppool.it.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.Gateway;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The official Java SDK client ({@code io.modelcontextprotocol.sdk:mcp} 2.1.0: {@code McpClient} over
 * {@code HttpClientStreamableHttpTransport}) against the gateway: list, call with progress, and what becomes
 * of a call the client gives up on. The SDK has no cancellation API and never sends
 * {@code notifications/cancelled} (not for a disposed call, not for its own request timeout), so the
 * gateway cannot know, and the upstream call runs to its end.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JavaSdkClientTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    static Gateway gateway;

    @BeforeAll
    static void startGateway() {
        gateway = Peers.testkitGateway();
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static HttpClientStreamableHttpTransport transport() {
        return HttpClientStreamableHttpTransport.builder(gateway.baseUri().toString())
                .endpoint(gateway.mcpUri().getPath())
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static McpSyncClient syncClient(List<ProgressNotification> progress) {
        McpSyncClient client = McpClient.sync(transport())
                .clientInfo(new McpSchema.Implementation("java-sdk-interop", "1.0.0"))
                .requestTimeout(REQUEST_TIMEOUT)
                .initializationTimeout(REQUEST_TIMEOUT)
                .progressConsumer(progress::add)
                .build();
        client.initialize();
        return client;
    }

    @Test
    void listsTheGatewaysTools() {
        try (McpSyncClient client = syncClient(new CopyOnWriteArrayList<>())) {
            assertThat(client.getServerInfo().name()).isEqualTo("mcp-pool");
            assertThat(client.getCurrentInitializationResult().protocolVersion()).isEqualTo("2025-11-25");
            List<String> names = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(names).contains("testkit__echo", "testkit__sleep", "testkit__stats")
                    .allSatisfy(n -> assertThat(n).startsWith("testkit__"));
            CallToolResult echo = client.callTool(new CallToolRequest("testkit__echo", Map.of("message", "hi from java")));
            assertThat(text(echo)).isEqualTo("hi from java");
            assertThat(echo.isError()).isNotEqualTo(Boolean.TRUE);
        }
    }

    @Test
    void callsAToolWithProgress() {
        List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = syncClient(progress)) {
            CallToolResult slept = client.callTool(CallToolRequest.builder("testkit__sleep")
                    .arguments(Map.of("ms", 600, "steps", 3)).progressToken("java-progress-1").build());
            assertThat(text(slept)).isEqualTo("slept 600ms");
            // The SDK hands progress to its consumer on its own scheduler: it may trail the result a little.
            await("3 progress notifications").atMost(Duration.ofSeconds(10)).until(() -> progress.size() >= 3);
            assertThat(progress).allSatisfy(p -> {
                assertThat(p.progressToken()).isEqualTo("java-progress-1");
                assertThat(p.total()).isEqualTo(3.0);
            });
            assertThat(progress.stream().map(ProgressNotification::progress).toList()).isSorted().doesNotHaveDuplicates();
        }
    }

    /**
     * Disposing the subscription of a call is all the SDK offers: it stops waiting, sends nothing, and the
     * gateway (rightly: the spec says a dropped connection is no cancellation) lets the upstream call finish.
     */
    @Test
    void aDisposedCallIsNotCancelledUpstreamBecauseTheSdkSendsNothing() throws Exception {
        List<ProgressNotification> progress = new CopyOnWriteArrayList<>();
        McpAsyncClient client = McpClient.async(transport())
                .clientInfo(new McpSchema.Implementation("java-sdk-interop-async", "1.0.0"))
                .requestTimeout(REQUEST_TIMEOUT)
                .progressConsumer(p -> Mono.fromRunnable(() -> progress.add(p)))
                .build();
        try {
            client.initialize().block(REQUEST_TIMEOUT);
            JsonNode before = stats(client);
            CompletableFuture<CallToolResult> outcome = new CompletableFuture<>();
            AtomicReference<Disposable> call = new AtomicReference<>();
            long started = System.nanoTime();
            call.set(client.callTool(CallToolRequest.builder("testkit__sleep")
                            .arguments(Map.of("ms", 2000, "steps", 20)).progressToken("java-cancel-1").build())
                    .subscribe(outcome::complete, outcome::completeExceptionally));

            await("first progress").atMost(Duration.ofSeconds(20)).until(() -> !progress.isEmpty());
            call.get().dispose();
            assertThat(call.get().isDisposed()).isTrue();

            // The upstream call is still running: the pool holds it in flight until the testkit's 2 s are up.
            assertThat(inFlight()).as("in-flight upstream calls right after dispose").isEqualTo(1);
            await("the upstream call to end").atMost(Duration.ofSeconds(20)).until(() -> inFlight() == 0);
            long ranMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
            assertThat(ranMs).as("the upstream call ran its full 2 s").isGreaterThanOrEqualTo(2000);

            JsonNode after = stats(client);
            assertThat(after.path("cancelled")).as("request ids the upstream saw cancelled").isEqualTo(before.path("cancelled"));
            assertThat(after.at("/executions/sleep").asInt()).isEqualTo(before.at("/executions/sleep").asInt() + 1);
            assertThat(outcome).as("a disposed call never completes").isNotDone();
        } finally {
            client.closeGracefully().block(REQUEST_TIMEOUT);
        }
    }

    @Test
    void closingTheClientEndsItsGatewaySession() {
        McpSyncClient client = syncClient(new CopyOnWriteArrayList<>());
        await("the session at the gateway").atMost(Duration.ofSeconds(10))
                .until(() -> gateway.server().sessions().size() >= 1);
        int open = gateway.server().sessions().size();
        assertThat(client.closeGracefully()).isTrue();
        await("the session to end (DELETE)").atMost(Duration.ofSeconds(10))
                .until(() -> gateway.server().sessions().size() == open - 1);
    }

    private static int inFlight() {
        return gateway.pool().snapshot().servers().getFirst().endpoints().getFirst().inFlight();
    }

    private static JsonNode stats(McpAsyncClient client) {
        CallToolResult r = client.callTool(new CallToolRequest("testkit__stats", Map.of())).block(REQUEST_TIMEOUT);
        assertThat(r).isNotNull();
        return CurlTest.json(text(r));
    }

    private static String text(CallToolResult r) {
        return r.content().stream().filter(TextContent.class::isInstance).map(c -> ((TextContent) c).text())
                .reduce("", String::concat);
    }
}
