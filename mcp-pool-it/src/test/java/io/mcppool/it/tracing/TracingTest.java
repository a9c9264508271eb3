package io.mcppool.it.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.call.CallOptions;
import io.mcppool.call.CallTimeoutException;
import io.mcppool.McpPool;
import io.mcppool.call.UnknownToolException;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.testkit.TestkitCommand;
import io.mcppool.testkit.TestkitHttpServer;
import io.mcppool.testkit.TestkitOptions;
import io.mcppool.tracing.McpTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acceptance 5: with the OpenTelemetry SDK's in-memory exporter, one CLIENT span per call with the MCP
 * attributes, children of the caller's span, and the testkit server receives the span's context as
 * {@code traceparent} in the request's {@code _meta}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TracingTest {
    private static final String SERVER = "tk";

    private static final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private static OpenTelemetrySdk otel;
    private static Tracer tracer;
    private static McpPool pool;

    @BeforeAll
    static void start() {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        tracer = otel.getTracer("agent");
        List<String> cmd = TestkitCommand.stdio();
        ServerConfig server = ServerConfig.builder(SERVER, new EndpointConfig.Stdio(cmd.get(0), cmd.subList(1, cmd.size()),
                        Map.of(), Optional.empty(), Duration.ofSeconds(2)))
                .pool(PoolSettings.builder().minSessions(1).maxSessions(1).build()).build();
        pool = McpPool.builder().server(server).eventListener(McpTracing.create(otel)).build();
        pool.callTool(SERVER, "echo", Map.of("message", "warm")); // the process is up before the tests measure anything
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
        if (otel != null) {
            otel.close();
        }
    }

    @BeforeEach
    void reset() {
        exporter.reset();
    }

    private static List<SpanData> named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    private static String traceparent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-01";
    }

    @Test
    @SuppressWarnings("try")
    void eachCallIsOneChildSpanOfTheCallersSpanAndTheServerGetsItsTraceparent() throws Exception {
        Span parent = tracer.spanBuilder("agent step").startSpan();
        JsonNode stats;
        try (Scope ignored = parent.makeCurrent()) {
            pool.callTool(SERVER, "echo", Map.of("message", "one"));
            pool.callToolAsync(SERVER, "add", Map.of("a", 1, "b", 2)).get(30, TimeUnit.SECONDS);
            pool.listTools(SERVER);
            stats = pool.callTool(SERVER, "stats", Map.of()).structuredContent();
        } finally {
            parent.end();
        }
        SpanData agent = named("agent step").get(0);
        List<SpanData> calls = exporter.getFinishedSpanItems().stream().filter(s -> s != agent).toList();
        assertThat(calls).extracting(SpanData::getName)
                .containsExactly("tools/call echo", "tools/call add", "tools/list", "tools/call stats");
        for (SpanData span : calls) {
            assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(span.getTraceId()).isEqualTo(agent.getTraceId());
            assertThat(span.getParentSpanId()).isEqualTo(agent.getSpanId());
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(span.getAttributes().get(McpTracing.POOL_SERVER)).isEqualTo(SERVER);
            assertThat(span.getAttributes().get(McpTracing.ERROR_TYPE)).isNull();
        }
        SpanData echo = calls.get(0);
        assertThat(echo.getAttributes().get(McpTracing.MCP_METHOD_NAME)).isEqualTo("tools/call");
        assertThat(echo.getAttributes().get(McpTracing.GEN_AI_TOOL_NAME)).isEqualTo("echo");
        assertThat(echo.getAttributes().get(McpTracing.GEN_AI_OPERATION_NAME)).isEqualTo("execute_tool");
        assertThat(echo.getAttributes().get(McpTracing.POOL_ENDPOINT)).startsWith("java "); // the pool's label: command line, cut
        assertThat(echo.getAttributes().get(McpTracing.NETWORK_TRANSPORT)).isEqualTo("pipe");
        assertThat(echo.getAttributes().get(McpTracing.JSONRPC_REQUEST_ID)).matches("[0-9]+");
        assertThat(echo.getAttributes().get(McpTracing.MCP_SESSION_ID)).isNull(); // stdio has no session id
        SpanData list = calls.get(2);
        assertThat(list.getAttributes().get(McpTracing.MCP_METHOD_NAME)).isEqualTo("tools/list");
        assertThat(list.getAttributes().get(McpTracing.GEN_AI_OPERATION_NAME)).isNull();

        // what the server received: the last non-stats call (add) carried its own span's context ...
        String received = stats.path("lastMeta").path("traceparent").asText();
        assertThat(received).isEqualTo(traceparent(calls.get(1)));
        assertThat(received.substring(3, 35)).isEqualTo(agent.getTraceId());
        // ... and so did the stats call itself
        assertThat(stats.path("thisCall").path("meta").path("traceparent").asText()).isEqualTo(traceparent(calls.get(3)));
    }

    @Test
    void withoutACallersSpanEachCallIsARootSpanAndStillPropagates() {
        pool.callTool(SERVER, "echo", Map.of("message", "alone"));
        JsonNode stats = pool.callTool(SERVER, "stats", Map.of()).structuredContent();
        SpanData echo = named("tools/call echo").get(0);
        assertThat(echo.getParentSpanContext().isValid()).isFalse();
        assertThat(stats.path("lastMeta").path("traceparent").asText()).isEqualTo(traceparent(echo));
    }

    @Test
    void failuresEndTheSpanWithErrorStatusAndErrorType() {
        assertThatThrownBy(() -> pool.callTool(SERVER, "sleep", Map.of("ms", 5000),
                CallOptions.builder().timeout(Duration.ofMillis(200)).build())).isInstanceOf(CallTimeoutException.class);
        pool.callTool(SERVER, "fail", Map.of("message", "nope"));
        assertThatThrownBy(() -> pool.callTool(SERVER, "no_such_tool", Map.of())).isInstanceOf(UnknownToolException.class);

        SpanData sleep = named("tools/call sleep").get(0);
        assertThat(sleep.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(sleep.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("timeout");
        assertThat(sleep.getEndEpochNanos() - sleep.getStartEpochNanos())
                .isBetween(TimeUnit.MILLISECONDS.toNanos(150), TimeUnit.SECONDS.toNanos(4));
        SpanData fail = named("tools/call fail").get(0);
        assertThat(fail.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(fail.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("tool_error");
        SpanData unknown = named("tools/call no_such_tool").get(0);
        assertThat(unknown.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(unknown.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("invalid_request");
        assertThat(exporter.getFinishedSpanItems()).hasSize(3);
    }

    @Test
    void overStreamableHttpTheSpanNamesTheServerAddressAndTheServerGetsTheTraceparent() {
        try (TestkitHttpServer http = TestkitHttpServer.start(TestkitOptions.defaults());
             McpPool httpPool = McpPool.builder()
                     .server(ServerConfig.builder("remote", new EndpointConfig.Http(http.uri(),
                             Map.of("Authorization", "Bearer not-in-any-span"))).build())
                     .eventListener(McpTracing.create(otel)).build()) {
            httpPool.callTool("remote", "echo", Map.of("message", "over http"));
            JsonNode stats = httpPool.callTool("remote", "stats", Map.of()).structuredContent();
            SpanData echo = named("tools/call echo").get(0);
            assertThat(echo.getAttributes().get(McpTracing.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
            assertThat(echo.getAttributes().get(McpTracing.SERVER_PORT)).isEqualTo((long) http.port());
            assertThat(echo.getAttributes().get(McpTracing.NETWORK_TRANSPORT)).isEqualTo("tcp");
            assertThat(echo.getAttributes().get(McpTracing.POOL_ENDPOINT)).isEqualTo(http.url());
            assertThat(echo.getAttributes().get(McpTracing.JSONRPC_REQUEST_ID)).matches("[0-9]+");
            assertThat(echo.getAttributes().get(McpTracing.MCP_SESSION_ID)).isNotBlank();
            assertThat(stats.path("lastMeta").path("traceparent").asText()).isEqualTo(traceparent(echo));
            assertThat(exporter.getFinishedSpanItems()).allSatisfy(s ->
                    assertThat(s.getAttributes().asMap().toString()).doesNotContain("not-in-any-span"));
        }
    }
}
