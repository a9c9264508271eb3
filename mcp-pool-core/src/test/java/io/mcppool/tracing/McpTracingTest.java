package io.mcppool.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.call.ErrorType;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The tracing listener driven hook by hook, as the pool calls it, against the OpenTelemetry SDK. */
class McpTracingTest {
    private static final String STDIO = "java -cp app.jar io.example.Server --stdio";

    private InMemorySpanExporter exporter;
    private OpenTelemetrySdk otel;
    private Tracer tracer;
    private McpTracing tracing;

    @BeforeEach
    void setUp() {
        exporter = InMemorySpanExporter.create();
        otel = sdk(Sampler.alwaysOn());
        tracer = otel.getTracer("test");
        tracing = McpTracing.create(otel);
    }

    private OpenTelemetrySdk sdk(Sampler sampler) {
        return OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().setSampler(sampler)
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                .build();
    }

    @AfterEach
    void tearDown() {
        otel.close();
    }

    /** One call through the hooks in the pool's order. */
    private CallContext call(String method, String tool, String endpoint, CallOutcome outcome, ErrorType type) {
        CallContext call = new CallContext("files", method, tool, System.nanoTime());
        tracing.callStarted(call);
        call.endpoint(endpoint);
        tracing.endpointPicked(call, endpoint);
        tracing.acquireStarted(call);
        tracing.acquireEnded(call, 10_000, true);
        tracing.callEnded(call, outcome, type, 1_000_000);
        return call;
    }

    private SpanData only(String name) {
        List<SpanData> spans = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(spans).as("spans named '%s'", name).hasSize(1);
        return spans.get(0);
    }

    @Test
    @SuppressWarnings("try")
    void eachCallIsOneClientSpanUnderTheCallersSpanWithTheMcpAttributes() {
        Span parent = tracer.spanBuilder("agent step").startSpan();
        CallContext first;
        CallContext second;
        try (Scope ignored = parent.makeCurrent()) {
            first = call("tools/call", "read_file", STDIO, CallOutcome.SUCCESS, null);
            second = call("tools/call", "write_file", STDIO, CallOutcome.SUCCESS, null);
        } finally {
            parent.end();
        }
        assertThat(exporter.getFinishedSpanItems()).hasSize(3);
        SpanData agent = only("agent step");
        for (String name : List.of("tools/call read_file", "tools/call write_file")) {
            SpanData span = only(name);
            assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(span.getTraceId()).isEqualTo(agent.getTraceId());
            assertThat(span.getParentSpanId()).isEqualTo(agent.getSpanId());
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(span.getAttributes().get(McpTracing.MCP_METHOD_NAME)).isEqualTo("tools/call");
            assertThat(span.getAttributes().get(McpTracing.GEN_AI_OPERATION_NAME)).isEqualTo("execute_tool");
            assertThat(span.getAttributes().get(McpTracing.GEN_AI_TOOL_NAME)).isEqualTo(name.substring(11));
            assertThat(span.getAttributes().get(McpTracing.POOL_SERVER)).isEqualTo("files");
            assertThat(span.getAttributes().get(McpTracing.POOL_ENDPOINT)).isEqualTo(STDIO);
            assertThat(span.getAttributes().get(McpTracing.ERROR_TYPE)).isNull();
            assertThat(span.getAttributes().get(McpTracing.SERVER_ADDRESS)).isNull();
            assertThat(span.getEvents()).as("a 10 µs acquire is below the event threshold").isEmpty();
        }
        // each request carries its own span's context to the server
        assertThat(first.meta().get("traceparent")).isEqualTo(traceparent(only("tools/call read_file")));
        assertThat(second.meta().get("traceparent")).isEqualTo(traceparent(only("tools/call write_file")));
        assertThat(first.meta()).doesNotContainKey("tracestate"); // nothing to carry
    }

    @Test
    void withoutACurrentSpanACallStartsItsOwnTrace() {
        CallContext c = call("tools/list", null, STDIO, CallOutcome.SUCCESS, null);
        SpanData span = only("tools/list");
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getAttributes().get(McpTracing.MCP_METHOD_NAME)).isEqualTo("tools/list");
        assertThat(span.getAttributes().get(McpTracing.GEN_AI_OPERATION_NAME)).as("only tool calls").isNull();
        assertThat(span.getAttributes().get(McpTracing.GEN_AI_TOOL_NAME)).isNull();
        assertThat(c.meta().get("traceparent")).isEqualTo(traceparent(span));
    }

    @Test
    void aTimeoutEndsTheSpanWithErrorStatusAndErrorType() {
        call("tools/call", "sleep", STDIO, CallOutcome.FAILURE, ErrorType.TIMEOUT);
        SpanData span = only("tools/call sleep");
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("timeout");
    }

    @Test
    void aToolErrorIsRecordedAsTheConventionsSay() {
        call("tools/call", "fail", STDIO, CallOutcome.TOOL_ERROR, ErrorType.TOOL_ERROR);
        SpanData span = only("tools/call fail");
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("tool_error");
    }

    @Test
    @SuppressWarnings("try")
    void aRemoteParentsTraceStateAndBaggageTravelInMeta() {
        SpanContext remote = SpanContext.createFromRemoteParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                TraceFlags.getSampled(), TraceState.builder().put("rojo", "00f067aa0ba902b7").build());
        Context context = Context.root().with(Span.wrap(remote))
                .with(Baggage.builder().put("tenant", "acme").build());
        CallContext c;
        try (Scope ignored = context.makeCurrent()) {
            c = call("tools/call", "search", STDIO, CallOutcome.SUCCESS, null);
        }
        SpanData span = only("tools/call search");
        assertThat(span.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(span.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(c.meta()).containsEntry("traceparent", traceparent(span))
                .containsEntry("tracestate", "rojo=00f067aa0ba902b7")
                .containsEntry("baggage", "tenant=acme");
    }

    @Test
    void anHttpEndpointGivesServerAddressAndPortAndItsSecretsAreMasked() {
        call("tools/call", "search", "https://bot:s3cret@mcp.example.com:8443/mcp?api_key=abc123", CallOutcome.SUCCESS,
                null);
        call("tools/call", "query", "http://localhost/mcp", CallOutcome.SUCCESS, null);
        SpanData search = only("tools/call search");
        assertThat(search.getAttributes().get(McpTracing.POOL_ENDPOINT)).isEqualTo("https://***@mcp.example.com:8443/mcp?***");
        assertThat(search.getAttributes().get(McpTracing.SERVER_ADDRESS)).isEqualTo("mcp.example.com");
        assertThat(search.getAttributes().get(McpTracing.SERVER_PORT)).isEqualTo(8443L);
        assertThat(search.getAttributes().get(McpTracing.NETWORK_TRANSPORT)).isEqualTo("tcp");
        assertThat(search.getAttributes().get(McpTracing.NETWORK_PROTOCOL_NAME)).isEqualTo("http");
        assertThat(search.getAttributes().asMap().values()).noneMatch(v -> v.toString().contains("s3cret")
                || v.toString().contains("abc123"));
        assertThat(only("tools/call query").getAttributes().get(McpTracing.SERVER_PORT)).isEqualTo(80L);
    }

    @Test
    void aStdioEndpointIsAPipeOnceItsProcessIsKnown() {
        tracing.processStarted("files", STDIO, 4242);
        call("tools/call", "read_file", STDIO, CallOutcome.SUCCESS, null);
        assertThat(only("tools/call read_file").getAttributes().get(McpTracing.NETWORK_TRANSPORT)).isEqualTo("pipe");
    }

    @Test
    void retriesAndSlowAcquiresAreSpanEvents() {
        CallContext c = new CallContext("files", "tools/call", "read_file", System.nanoTime());
        tracing.callStarted(c);
        tracing.endpointPicked(c, STDIO);
        tracing.acquireEnded(c, TimeUnit.MILLISECONDS.toNanos(25), true);
        tracing.retryScheduled(c, 2, Duration.ofMillis(100), ErrorType.CONNECT_FAILURE);
        tracing.acquireEnded(c, TimeUnit.MILLISECONDS.toNanos(5000), false);
        tracing.callEnded(c, CallOutcome.FAILURE, ErrorType.POOL_EXHAUSTED, 1);
        SpanData span = only("tools/call read_file");
        assertThat(span.getEvents()).extracting(EventData::getName)
                .containsExactly("mcp_pool.acquire", "mcp_pool.retry", "mcp_pool.acquire");
        EventData slow = span.getEvents().get(0);
        assertThat(slow.getAttributes().get(McpTracing.ACQUIRE_WAIT_MS)).isEqualTo(25.0);
        assertThat(slow.getAttributes().get(McpTracing.ACQUIRE_ACQUIRED)).isTrue();
        EventData retry = span.getEvents().get(1);
        assertThat(retry.getAttributes().get(McpTracing.RETRY_ATTEMPT)).isEqualTo(2L);
        assertThat(retry.getAttributes().get(McpTracing.RETRY_BACKOFF_MS)).isEqualTo(100.0);
        assertThat(retry.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("connect_failure");
        assertThat(span.getEvents().get(2).getAttributes().get(McpTracing.ACQUIRE_ACQUIRED)).isFalse();
        assertThat(span.getAttributes().get(McpTracing.ERROR_TYPE)).isEqualTo("pool_exhausted");
    }

    @Test
    void aSampledOutCallStillCarriesItsContextButRecordsNothing() {
        otel.close();
        otel = sdk(Sampler.alwaysOff());
        tracing = McpTracing.create(otel);
        CallContext c = call("tools/call", "read_file", STDIO, CallOutcome.SUCCESS, null);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
        assertThat((String) c.meta().get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
    }

    @Test
    void withTheNoopApiNothingIsAddedAndNothingFails() {
        McpTracing noop = McpTracing.create(OpenTelemetry.noop());
        CallContext c = new CallContext("files", "tools/call", "read_file", System.nanoTime());
        noop.callStarted(c);
        noop.endpointPicked(c, STDIO);
        noop.retryScheduled(c, 2, Duration.ofMillis(1), ErrorType.TIMEOUT);
        noop.callEnded(c, CallOutcome.FAILURE, ErrorType.TIMEOUT, 1);
        assertThat(c.meta()).isEmpty();
    }

    @Test
    void hooksOfACallItNeverSawAreIgnored() {
        CallContext c = new CallContext("files", "tools/call", "read_file", System.nanoTime());
        tracing.endpointPicked(c, STDIO);
        tracing.acquireEnded(c, TimeUnit.SECONDS.toNanos(1), false);
        tracing.retryScheduled(c, 2, Duration.ofMillis(1), ErrorType.TIMEOUT);
        tracing.callEnded(c, CallOutcome.SUCCESS, null, 1);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void theSpanOfACallInProgressIsReachable() {
        CallContext c = new CallContext("files", "tools/call", "read_file", System.nanoTime());
        tracing.callStarted(c);
        McpTracing.span(c).setAttribute("app.user", "alice");
        tracing.callEnded(c, CallOutcome.SUCCESS, null, 1);
        assertThat(McpTracing.span(c)).isNull();
        assertThat(only("tools/call read_file").getAttributes().asMap().toString()).contains("app.user=alice");
    }

    private static String traceparent(SpanData span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-01";
    }
}
