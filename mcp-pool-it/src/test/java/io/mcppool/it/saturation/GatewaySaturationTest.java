package io.mcppool.it.saturation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.it.gateway.GatewayClient;
import io.mcppool.it.gateway.interop.GatewayProcess;
import io.mcppool.testkit.TestkitCommand;
import io.mcppool.testkit.TestkitOrphans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 through {@code mcp-pool serve}, the gateway as a user starts it ({@link GatewayProcess}), driven by one
 * unauthenticated client session over real HTTP: every call answers correctly, or is a JSON-RPC error carrying
 * {@code data.errorType}, by its deadline plus {@link Saturation#MARGIN}; a healthy server keeps its deadlines while
 * the others are wedged; the gateway's log of a flood stays bounded; SIGTERM ends the gateway and every process it
 * started (orphans of forking servers included) within {@link #STOP_BOUND}.
 */
@Tag("saturation")
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GatewaySaturationTest {
    private static final int KB = 1024;
    private static final int MB = 1024 * 1024;
    /** The gateway's {@code drainTimeout}: how long SIGTERM lets calls in flight finish. */
    private static final Duration DRAIN = Duration.ofSeconds(3);
    /**
     * SIGTERM to exit: the drain, the pool's grace, two stdio steps of each server's stop, and 5 s for a JVM to
     * end (its shutdown hooks, Jetty's stop, its exit) on a loaded machine.
     */
    static final Duration STOP_BOUND = DRAIN.plus(Saturation.POOL_GRACE).plus(Saturation.STDIO_GRACE.multipliedBy(2))
            .plusSeconds(5);
    /** What the gateway may log (on stderr) while the hostile servers do their worst. */
    private static final long MAX_STDERR_BYTES = 1024 * 1024;
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /**
     * The built-in server's deadline for 40 echoes of 2 MB: 80 MB each way through a JVM that runs without its JIT's
     * second tier takes about 10 s on a quiet 2-core machine and several times that on a loaded one, and what is
     * checked is that each call ends by its deadline, not how fast.
     */
    private static final Duration BIG_ECHO_DEADLINE = Duration.ofSeconds(60);
    private static final Duration HEALTHY_DEADLINE = Duration.ofSeconds(3);

    @TempDir
    Path dir;
    private final String label = "saturation-gw-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @AfterEach
    void killLeftovers() {
        Saturation.killLeftovers(label);
    }

    /**
     * Finding 1 through {@code serve} on the built-in config (one session open, up to two; only its deadlines,
     * graces and idle timeout set through the environment): 40 concurrent 2 MB echoes from one unauthenticated
     * client, more than the open session's 16 slots, so calls wait for slots that answers free. Afterwards the
     * gateway's pool threads and pipes are back to what they were with one session, and SIGTERM ends everything
     * in time.
     */
    @Test
    void builtInConfigTakesFortyConcurrentTwoMegabyteEchoes() {
        Map<String, String> env = environment();
        env.put("MCP_POOL__DEFAULTS__CALL_TIMEOUT", BIG_ECHO_DEADLINE.toSeconds() + "s");
        env.put("MCP_POOL__DEFAULTS__SHUTDOWN_GRACE", Saturation.STDIO_GRACE.toMillis() + "ms");
        env.put("MCP_POOL__SHUTDOWN_GRACE", Saturation.POOL_GRACE.toSeconds() + "s");
        env.put("MCP_POOL__GATEWAY__DRAIN_TIMEOUT", DRAIN.toSeconds() + "s");
        // a second session opened for the storm is closed soon after it, so the figures can come back to one session's
        env.put("MCP_POOL__DEFAULTS__POOL__IDLE_TIMEOUT", "1s");
        List<String> problems = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        GatewayProcess gateway = GatewayProcess.serve(dir, env);
        try {
            GatewayClient client = new GatewayClient(gateway.mcpUri(), null);
            client.initialize();
            assertThat(text(client.call("testkit__echo", Map.of("message", "up")))).isEqualTo("up");
            int threads = poolThreads(gateway.handle());
            int pipes = pipes(gateway.handle());
            figures.add("gateway baseline: " + threads + " pool threads, " + pipes + " pipes");

            Storm.Report report = Storm.run(BIG_ECHO_DEADLINE, Storm.asks(40, i -> Saturation.echo(i, 2 * MB))
                    .stream().map(a -> new Storm.Ask("testkit__echo", a.arguments(), a.expected())).toList(),
                    (index, ask, deadline) -> call(client, ask, deadline));
            figures.add("storm: " + report.summary());
            problems.addAll(report.problems());
            if (report.count(Storm.Kind.OK) == 0) {
                problems.add("no call of the storm answered");
            }
            freshCall(client, "testkit", problems);

            AtomicReference<String> now = new AtomicReference<>();
            try {
                await().atMost(Saturation.LEAK_WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                    int t = poolThreads(gateway.handle());
                    int p = pipes(gateway.handle());
                    now.set(t + " pool threads, " + p + " pipes");
                    return t <= threads && p <= pipes;
                });
            } catch (ConditionTimeoutException e) {
                problems.add("the gateway's pool threads and pipes not back to " + threads + " and " + pipes + " after "
                        + Saturation.LEAK_WAIT.toSeconds() + " s: " + now.get());
            }
            figures.add("gateway after: " + now.get());
        } finally {
            stop(gateway, problems, figures);
        }
        report("serve, built-in config: echo of 2 MB x 40 concurrent calls, one client", problems, figures);
    }

    /**
     * Every hostile fixture behind one gateway at once, each called 16 times concurrently by one client session,
     * while a healthy server is probed: a sequential server (256 kB echoes), one that stops reading (300 kB), one
     * that floods notifications (a bounded 500,000 of 100 B, for the sake of the disk on a red run), one that forks
     * an orphan and exits. Its log stays bounded, SIGTERM ends it in time, and no orphan survives.
     */
    @Test
    void hostileServersBehindServeNeitherWedgeItNorOutliveIt() throws IOException {
        Path config = dir.resolve("saturation.yaml");
        Files.writeString(config, String.join("\n",
                "shutdownGrace: " + Saturation.POOL_GRACE.toSeconds() + "s",
                "gateway:",
                "  drainTimeout: " + DRAIN.toSeconds() + "s",
                "defaults:",
                "  callTimeout: " + DEADLINE.toSeconds() + "s",
                "  shutdownGrace: " + Saturation.STDIO_GRACE.toMillis() + "ms",
                "  pool: { minSessions: 1, maxSessions: 2, acquireTimeout: " + DEADLINE.toSeconds() + "s }",
                "servers:",
                testkit("seq", "--sequential"),
                testkit("stuck", "--stop-reading-after", Integer.toString(Saturation.STOP_READING_AFTER)),
                testkit("flood", "--flood-notifications", "500000", "--flood-bytes", "100"),
                testkit("forker", "--fork-on-start", "--label", label),
                testkit("healthy"),
                "    callTimeout: " + HEALTHY_DEADLINE.toSeconds() + "s",
                ""));
        List<String> problems = new ArrayList<>();
        List<String> figures = new ArrayList<>();
        GatewayProcess gateway = GatewayProcess.serve(dir, environment(), "--config", config.toString());
        try {
            GatewayClient client = new GatewayClient(gateway.mcpUri(), null);
            client.initialize();
            assertThat(text(client.call("healthy__echo", Map.of("message", "up")))).isEqualTo("up");
            long stderrBefore = gateway.stderrBytes();

            List<Storm.Ask> asks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                asks.add(prefixed("seq", Saturation.echo(i, 256 * KB)));
                asks.add(prefixed("stuck", Saturation.echo(i, 300 * KB)));
                asks.add(prefixed("flood", Saturation.echo(i, 16 * KB)));
                asks.add(prefixed("forker", Saturation.echo(i, KB)));
            }
            HealthyProbe probe = HealthyProbe.start(target(client, "healthy"));
            Storm.Report report = Storm.run(DEADLINE, asks, (index, ask, deadline) -> call(client, ask, deadline));
            problems.addAll(report.problems());
            problems.addAll(probe.stop());
            figures.add("storm: " + report.summary());
            figures.add("by server: " + byServer(asks, report));
            figures.add("healthy probe: " + probe.rounds() + " rounds");
            freshCall(client, "seq", problems);

            long logged = gateway.stderrBytes() - stderrBefore;
            figures.add("gateway stderr during the storm: " + logged + " bytes");
            if (logged > MAX_STDERR_BYTES) {
                problems.add("the gateway logged " + logged + " bytes on stderr during the storm (bound " + MAX_STDERR_BYTES
                        + ")");
            }
        } finally {
            stop(gateway, problems, figures);
        }
        report("serve, hostile fixtures: seq, stuck, flood, forker x 16 concurrent calls each, one client", problems,
                figures);
    }

    /** SIGTERM, timed; then nothing it started may be alive, orphans included. */
    private void stop(GatewayProcess gateway, List<String> problems, List<String> figures) {
        long start = System.nanoTime();
        List<String> alive = gateway.stop();
        long ms = Saturation.millisSince(start);
        figures.add("SIGTERM to exit: " + ms + " ms (bound " + STOP_BOUND.toMillis() + " ms)");
        if (ms > STOP_BOUND.toMillis()) {
            problems.add("SIGTERM to the gateway: it and its processes ended after " + ms + " ms (bound "
                    + STOP_BOUND.toMillis() + " ms)");
        }
        if (!alive.isEmpty()) {
            problems.add("alive 30 s after SIGTERM (then killed): " + alive);
        }
        if (!alive.isEmpty() || ms > STOP_BOUND.toMillis()) {
            problems.add("the gateway's last log lines: " + lastLogLines(gateway, 25));
        }
        try {
            await().atMost(Saturation.LEAK_WAIT).until(() -> TestkitOrphans.find(label).isEmpty());
        } catch (ConditionTimeoutException e) {
            problems.add("orphans of the forking server alive " + Saturation.LEAK_WAIT.toSeconds() + " s after the gateway"
                    + " ended: " + TestkitOrphans.find(label).stream().map(p -> p.pid() + ": "
                    + p.info().commandLine().orElse("?")).toList());
        }
    }

    private static void report(String name, List<String> problems, List<String> figures) {
        String report = name + "\n  " + String.join("\n  ", figures);
        System.out.println("saturation: " + report);
        if (!problems.isEmpty()) {
            fail(report + "\nproblems:\n  " + String.join("\n  ", problems));
        }
    }

    /** The last {@code n} lines the gateway logged, but for the flood fixture's own (what its server said). */
    private static String lastLogLines(GatewayProcess gateway, int n) {
        List<String> lines = gateway.stderr().lines().filter(l -> !l.contains("mcp.server.flood")).toList();
        return "\n    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** One gateway call, judged: the expected text, or a JSON-RPC error with {@code data.errorType}, on time. */
    private static Storm.Outcome call(GatewayClient client, Storm.Ask ask, Duration deadline) {
        long start = System.nanoTime();
        try {
            GatewayClient.Answer answer = client.callAsync(ask.tool(), ask.arguments())
                    .get(deadline.plus(Saturation.MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            long ms = Saturation.millisSince(start);
            JsonNode response;
            try {
                response = answer.response();
            } catch (AssertionError notJsonRpc) {
                return new Storm.Outcome(Storm.Kind.UNTYPED, ms, "HTTP " + answer.status() + ": "
                        + Saturation.preview(answer.body()));
            }
            if (response.has("result")) {
                JsonNode result = response.get("result");
                return Storm.answered(result.at("/content/0/text").asText(null), result.path("isError").asBoolean(false),
                        ask, ms, deadline);
            }
            JsonNode error = response.path("error");
            String type = error.at("/data/errorType").asText("");
            return type.isEmpty() ? new Storm.Outcome(Storm.Kind.UNTYPED, ms, "a JSON-RPC error without data.errorType: "
                    + Saturation.preview(error.toString()))
                    : Storm.failedTyped(type, error.path("message").asText(), ms, deadline);
        } catch (TimeoutException e) {
            return new Storm.Outcome(Storm.Kind.NOT_DONE, Saturation.millisSince(start), "no HTTP answer");
        } catch (ExecutionException e) {
            return new Storm.Outcome(Storm.Kind.UNTYPED, Saturation.millisSince(start), "HTTP exchange failed: "
                    + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Storm.Outcome(Storm.Kind.NOT_DONE, Saturation.millisSince(start), "interrupted");
        }
    }

    /** A server behind the gateway, probed through it; its deadline is its {@code callTimeout}. */
    private static HealthyProbe.Target target(GatewayClient client, String server) {
        return new HealthyProbe.Target(server, HEALTHY_DEADLINE, HEALTHY_DEADLINE,
                message -> client.callAsync(server + "__echo", Map.of("message", message)).thenApply(a -> {
                    JsonNode response = a.response();
                    if (!response.has("result")) {
                        throw new IllegalStateException("an error: " + response.get("error"));
                    }
                    return text(response);
                }),
                () -> client.callAsync(server + "__sleep", Map.of("ms", 60_000)).thenApply(a -> {
                    JsonNode response = a.response();
                    return "timeout".equals(response.at("/error/data/errorType").asText()) ? HealthyProbe.TIMED_OUT
                            : Saturation.preview(response.toString());
                }));
    }

    private static void freshCall(GatewayClient client, String server, List<String> problems) {
        try {
            JsonNode response = client.callAsync(server + "__echo", Map.of("message", "after the storm"))
                    .get(DEADLINE.plus(Saturation.MARGIN).toMillis(), TimeUnit.MILLISECONDS).response();
            if (!"after the storm".equals(text(response))) {
                problems.add("a call to " + server + " after the storm answered " + Saturation.preview(response.toString()));
            }
        } catch (Exception | AssertionError e) {
            problems.add("a call to " + server + " after the storm did not answer: " + e);
        }
    }

    private static Storm.Ask prefixed(String server, Storm.Ask ask) {
        return new Storm.Ask(server + "__" + ask.tool(), ask.arguments(), ask.expected());
    }

    private static String byServer(List<Storm.Ask> asks, Storm.Report report) {
        Map<String, Map<Storm.Kind, Long>> by = new java.util.TreeMap<>();
        for (int i = 0; i < asks.size(); i++) {
            String server = asks.get(i).tool().substring(0, asks.get(i).tool().indexOf("__"));
            by.computeIfAbsent(server, s -> new java.util.TreeMap<>())
                    .merge(report.outcomes().get(i).kind(), 1L, Long::sum);
        }
        return by.toString();
    }

    private static String text(JsonNode response) {
        return response.at("/result/content/0/text").asText(null);
    }

    /** A server entry of the YAML config: the testkit from the gateway's own jar, with these flags. */
    private static String testkit(String name, String... flags) {
        List<String> args = new ArrayList<>(TestkitCommand.JVM_FLAGS);
        args.addAll(List.of("-cp", "${MCP_POOL_CLASSPATH}", "io.mcppool.testkit.TestkitServer"));
        args.addAll(List.of(flags));
        return "  " + name + ":\n    command: ${MCP_POOL_JAVA}\n    args: ["
                + args.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", ")) + "]";
    }

    /** The whole environment of the gateway: a PATH with the shell (the forking fixture needs sh), HOME a temp folder. */
    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("HOME", dir.toString());
        return env;
    }

    /**
     * The gateway's platform threads named mcp-pool-... (their OS names, cut to 15 characters), but for Jetty's
     * request threads ({@code mcp-pool-http-N}): Jetty's pool grows under load and shrinks after its own idle
     * timeout (a minute), which is no leak.
     */
    private static int poolThreads(ProcessHandle process) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            return (int) tasks.filter(t -> {
                try {
                    String name = Files.readString(t.resolve("comm"));
                    return name.startsWith(Baseline.POOL_THREAD_PREFIX) && !name.startsWith("mcp-pool-http");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The gateway's open pipes: a stdio session holds three. */
    private static int pipes(ProcessHandle process) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }
}
