package io.mcppool.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mcppool.events.CallContext;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.metrics.McpPoolMetrics;
import io.mcppool.protocol.McpMethods;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the metrics listener ({@link McpPoolMetrics}) adds to one call: the hooks the pool calls on the hot
 * path of every call ({@code callStarted}, {@code endpointPicked}, {@code acquireStarted},
 * {@code acquireEnded}, {@code callEnded}), called directly, as the engine's composite listener
 * does for each listener. Each operation also makes the call's {@link CallContext}, as the pool does, so
 * the {@code noop} row (a listener with empty hooks) is the floor and the difference to it is the
 * listener's cost per call.
 *
 * <ul>
 *   <li>{@code noop}: {@link PoolEvents#NONE};</li>
 *   <li>{@code simple}: bound to a {@link SimpleMeterRegistry};</li>
 *   <li>{@code prometheus}: bound to a {@link PrometheusMeterRegistry} (the gateway's);</li>
 *   <li>{@code prometheus_histograms}: the same with {@code percentileHistograms(true)}.</li>
 * </ul>
 *
 * Calls rotate over four tools and four durations, so the meter lookups and histogram buckets are not
 * one constant. Issue 4 asks for under 200 ns per call. Run it with
 * {@code java -jar mcp-pool-bench.jar jmh MetricsListener}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class MetricsListenerBenchmark {
    static final String SERVER = "files";
    static final String ENDPOINT = "npx -y @modelcontextprotocol/server-filesystem /srv/data";
    static final String[] TOOLS = {"read_file", "list_directory", "search_files", "get_file_info"};
    static final long[] ACQUIRE_NANOS = {800, 1_500, 40_000, 2_000_000};
    static final long[] CALL_NANOS = {250_000, 1_200_000, 15_000_000, 400_000_000};

    @Param({"noop", "simple", "prometheus", "prometheus_histograms"})
    public String listener;

    PoolEvents events;
    McpPoolMetrics metrics;
    MeterRegistry registry;

    /** Per thread: which tool and duration comes next. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Setup(Level.Trial)
    public void setUp() {
        switch (listener) {
            case "noop" -> events = PoolEvents.NONE;
            case "simple" -> events = metrics = McpPoolMetrics.builder().build(registry = new SimpleMeterRegistry());
            case "prometheus" -> events = metrics = McpPoolMetrics.builder()
                    .build(registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            case "prometheus_histograms" -> events = metrics = McpPoolMetrics.builder().percentileHistograms(true)
                    .build(registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            default -> throw new IllegalArgumentException("unknown listener " + listener);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (metrics != null) {
            metrics.close();
            registry.close();
        }
    }

    private CallContext oneCall(Cursor cursor) {
        int i = cursor.next++ & 3;
        CallContext call = new CallContext(SERVER, McpMethods.TOOLS_CALL, TOOLS[i], 0L);
        events.callStarted(call);
        call.endpoint(ENDPOINT);
        events.endpointPicked(call, ENDPOINT);
        events.acquireStarted(call);
        events.acquireEnded(call, ACQUIRE_NANOS[i], true);
        events.callEnded(call, CallOutcome.SUCCESS, null, CALL_NANOS[i]);
        return call;
    }

    @Benchmark
    @Threads(1)
    public CallContext hotPath_1t(Cursor cursor) {
        return oneCall(cursor);
    }

    @Benchmark
    @Threads(4)
    public CallContext hotPath_4t(Cursor cursor) {
        return oneCall(cursor);
    }
}
