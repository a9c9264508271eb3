package io.mcppool.bench;

import static io.mcppool.bench.BenchText.abbreviate;
import static io.mcppool.bench.BenchText.human;
import static io.mcppool.bench.BenchText.latency;
import static io.mcppool.bench.BenchText.machine;
import static io.mcppool.bench.BenchText.median;
import static io.mcppool.bench.BenchText.positive;
import static io.mcppool.bench.BenchText.rate;
import static io.mcppool.bench.BenchText.ratioText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.McpPool;
import io.mcppool.status.PoolSnapshot;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.status.EndpointSnapshot;
import io.mcppool.protocol.CallToolResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.McpMethods;
import io.mcppool.internal.session.McpSession;
import io.mcppool.internal.session.SessionOptions;
import io.mcppool.testkit.TestkitCommand;
import io.mcppool.internal.transport.StdioTransport;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The load scenario of issue acceptance 8: the testkit stdio {@code echo} tool called by N threads
 * in a closed loop (each thread makes one blocking call after another), three ways:
 *
 * <ul>
 *   <li><b>session-per-call</b>: every call starts a new testkit process, performs the initialize
 *       handshake, calls {@code tools/call echo}, and closes the session (stdin closed, process
 *       waited for): what a framework does when it opens a client per tool call;</li>
 *   <li><b>shared-session</b>: one {@link McpSession} opened once; every thread sends on it at the
 *       same time (the session multiplexes by JSON-RPC id);</li>
 *   <li><b>pool</b>: an {@link McpPool} with the testkit server ({@code maxSessions} 4 and
 *       {@code maxConcurrentRequests} 16 unless told otherwise), called with {@code callTool}.</li>
 * </ul>
 *
 * <p>Session per call is measured on its own: callers start calls for {@code --spc-duration}, and
 * every call counts over the time until the last one ends (at 32 callers on a small machine one
 * call takes longer than a whole window would).
 *
 * <p>The shared session and the pool are both set up, then measured <em>alternately</em> by the same
 * caller threads in short slices ({@code --slice}, A B B A A B ...): each thread asks the clock
 * which strategy the current slice belongs to before each call. On a small virtual machine the
 * speed of a stdio round trip drifts by a factor of two or more from one second to the next (where
 * the scheduler puts the caller, the reader and the server thread), so rows measured one after the
 * other would compare moments as much as strategies. A call counts only if it starts and ends in a
 * measured slice of its own strategy. The first {@code --warmup} of slices per strategy is warm-up
 * (JIT of client and server, the pool growing to what the load needs).
 *
 * <p>Every answer is checked against what its caller sent; a wrong answer or an exception counts
 * as an error. The table goes to stdout as Markdown, progress to stderr. At the end every child
 * process must be gone.
 */
public final class EchoScenario {
    static final String SERVER = "echo";
    static final String TOOL = "echo";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final long CALL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** How long caller threads may take to finish their last call after the run ends. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);

    enum Strategy {
        SESSION_PER_CALL("session-per-call"), SHARED_SESSION("shared-session"), POOL("pool");

        final String label;

        Strategy(String label) {
            this.label = label;
        }

        static Strategy of(String s) {
            for (Strategy v : values()) {
                if (v.label.equals(s) || v.name().equalsIgnoreCase(s.replace('-', '_'))) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown strategy '" + s + "'; known: session-per-call, shared-session, pool");
        }
    }

    record Options(Duration duration, Duration warmup, List<Integer> concurrency, List<Strategy> strategies,
                   int poolMinSessions, int poolMaxSessions, int poolMaxConcurrent, Duration spcDuration,
                   Duration slice, boolean virtualThreads, int payloadBytes) {

        static Options parse(String[] args) {
            Duration duration = Duration.ofSeconds(10);
            Duration warmup = Duration.ofSeconds(3);
            Duration spcDuration = Duration.ofSeconds(15);
            Duration slice = Duration.ofMillis(200);
            List<Integer> concurrency = List.of(1, 32);
            List<Strategy> strategies = List.of(Strategy.values());
            int min = 1;
            int max = 4;
            int perSession = 16;
            boolean virtual = false;
            int payload = 0;
            for (BenchText.Option o : BenchText.options(args)) {
                String a = o.name();
                String v = o.value();
                switch (a) {
                    case "--duration" -> duration = positive(a, BenchText.duration(a, v));
                    case "--warmup" -> warmup = BenchText.duration(a, v);
                    case "--spc-duration" -> spcDuration = positive(a, BenchText.duration(a, v));
                    case "--slice" -> slice = positive(a, BenchText.duration(a, v));
                    case "--concurrency" -> concurrency = Arrays.stream(v.split(",")).map(String::trim)
                            .map(s -> positive("--concurrency", s)).distinct().toList();
                    case "--strategies" -> strategies = Arrays.stream(v.split(",")).map(String::trim)
                            .map(Strategy::of).distinct().toList();
                    case "--pool-min-sessions" -> min = Integer.parseInt(v);
                    case "--pool-max-sessions" -> max = positive(a, v);
                    case "--pool-max-concurrent" -> perSession = positive(a, v);
                    case "--threads" -> {
                        if (!v.equals("platform") && !v.equals("virtual")) {
                            throw new IllegalArgumentException("--threads is platform or virtual, not '" + v + "'");
                        }
                        virtual = v.equals("virtual");
                    }
                    case "--payload-bytes" -> payload = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Options(duration, warmup, concurrency, strategies, min, max, perSession, spcDuration, slice,
                    virtual, payload);
        }

    }

    /** One blocking call of the echo tool; returns the text the server sent back. */
    @FunctionalInterface
    interface Caller {
        String echo(String message) throws Exception;
    }

    /** A strategy set up for one row. */
    interface Target extends AutoCloseable {
        Caller caller();

        /** CPU time the server process(es) used so far (for session-per-call: of the calls finished so far). */
        long serverCpuNanos();

        /** Something worth printing under the table about this setup (the pool's size), or empty. */
        default String note() {
            return "";
        }

        @Override
        void close();
    }

    /**
     * One line of the table.
     *
     * @param seconds          the time the calls were counted over
     * @param sliceThroughputs calls/s of each measured slice, in order (empty for session-per-call); slice
     *                         i of two strategies measured together ran back to back
     */
    record Row(Strategy strategy, int concurrency, long calls, long errors, long warmupErrors, double seconds,
               long[] sortedLatencies, long clientCpuNanos, long serverCpuNanos, String firstError, String note,
               double[] sliceThroughputs) {
        double throughput() {
            return seconds <= 0 ? 0 : calls / seconds;
        }

        long percentile(double p) {
            if (sortedLatencies.length == 0) {
                return -1;
            }
            int rank = (int) Math.ceil(p / 100.0 * sortedLatencies.length);
            return sortedLatencies[Math.max(0, Math.min(sortedLatencies.length - 1, rank - 1))];
        }

        long max() {
            return sortedLatencies.length == 0 ? -1 : sortedLatencies[sortedLatencies.length - 1];
        }
    }

    private final Options options;
    private final List<String> command;
    private final EndpointConfig.Stdio stdio;
    private final ScheduledThreadPoolExecutor timer;
    private final String padding;

    private EchoScenario(Options options) {
        this.options = options;
        this.command = TestkitCommand.stdio();
        this.stdio = new EndpointConfig.Stdio(command.get(0), command.subList(1, command.size()));
        // The session layer's deadline timer, as a framework holding sessions itself would have one; the
        // pool brings its own. Cancelled deadlines are removed at once, or a busy run keeps millions queued.
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "echo-scenario-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        // A periodic task, as the pool's timer has (its housekeeping, every second). Without one, every
        // request's deadline is the earliest task in the queue, and scheduling it wakes the timer thread:
        // one extra context switch per call, which would handicap the shared session against the pool.
        timer.scheduleWithFixedDelay(() -> { }, 1, 1, TimeUnit.SECONDS);
        this.padding = "x".repeat(Math.max(0, options.payloadBytes()));
    }

    /** Runs the scenario; returns the process exit code (0, or 3 when a child process outlived its session). */
    public static int run(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("echo: " + e.getMessage());
            System.err.println(BenchMain.usage());
            return 2;
        }
        return new EchoScenario(options).runAll();
    }

    private int runAll() throws Exception {
        long started = System.nanoTime();
        progress("testkit server command: " + abbreviate(String.join(" ", command), 240));
        warmTheCommand();
        Map<Integer, Map<Strategy, Row>> rows = new LinkedHashMap<>();
        try {
            for (int c : options.concurrency()) {
                Map<Strategy, Row> byStrategy = new EnumMap<>(Strategy.class);
                rows.put(c, byStrategy);
                if (options.strategies().contains(Strategy.SESSION_PER_CALL)) {
                    byStrategy.put(Strategy.SESSION_PER_CALL, runSessionPerCall(c));
                }
                List<Strategy> alternating = options.strategies().stream().filter(s -> s != Strategy.SESSION_PER_CALL)
                        .toList();
                if (!alternating.isEmpty()) {
                    byStrategy.putAll(runAlternating(alternating, c));
                }
            }
        } finally {
            timer.shutdownNow();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        int leaked = checkChildren();
        System.out.println(report(rows, elapsed, leaked));
        return leaked > 0 ? 3 : 0;
    }

    /**
     * Runs one spawn and session before any row: the first {@link TestkitCommand} use in a JVM may
     * build a class-data-sharing archive, and the first spawn loads the client's classes; neither
     * must land in a measured period.
     */
    private void warmTheCommand() throws Exception {
        long t0 = System.nanoTime();
        try (Target t = sessionPerCall()) {
            String got = t.caller().echo("hello");
            if (!"hello".equals(got)) {
                throw new IllegalStateException("the testkit echo tool answered '" + got + "' to 'hello'");
            }
        }
        progress(String.format(Locale.ROOT, "first spawn + handshake + call + close: %.0f ms",
                (System.nanoTime() - t0) / 1e6));
    }

    private static void progress(Row row) {
        progress(String.format(Locale.ROOT, "%-16s c=%-3d %,d calls, %s calls/s, p50 %s, %d errors", row.strategy().label,
                row.concurrency(), row.calls(), rate(row.throughput()), latency(row.percentile(50)), row.errors()));
    }

    // ------------------------------------------------------------------ the three strategies

    private McpSession newSession() {
        return new McpSession(new StdioTransport(SERVER, stdio, ServerConfig.DEFAULT_MAX_MESSAGE_BYTES),
                new SessionOptions(SERVER, CONNECT_TIMEOUT), timer, null);
    }

    /** {@code tools/call} params as the pool builds them: the arguments map turned into a JSON tree. */
    private static ObjectNode callParams(String message) {
        ObjectNode params = Json.object();
        params.put("name", TOOL);
        params.set("arguments", Json.toTree(Map.of("message", message)));
        return params;
    }

    /** The result as the pool reads it: the JSON tree bound to a {@link CallToolResult}. */
    private static String text(JsonNode result) {
        CallToolResult r = Json.fromTree(result, CallToolResult.class);
        if (r.failed()) {
            throw new IllegalStateException("tool error: " + r.text());
        }
        return r.text();
    }

    private static <T> T await(java.util.concurrent.Future<T> f) throws Exception {
        try {
            return f.get(CALL_TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private Target sessionPerCall() {
        LongAdder serverCpu = new LongAdder();
        // where a call's time goes, summed over every call of the row
        LongAdder spawn = new LongAdder();
        LongAdder handshake = new LongAdder();
        LongAdder call = new LongAdder();
        LongAdder close = new LongAdder();
        LongAdder count = new LongAdder();
        Caller caller = message -> {
            long t0 = System.nanoTime();
            McpSession session = newSession();
            long t3 = 0;
            try {
                java.util.concurrent.CompletableFuture<?> opened = session.open(); // returns once the process started
                long t1 = System.nanoTime();
                await(opened);
                long t2 = System.nanoTime();
                String text = text(await(session.request(McpMethods.TOOLS_CALL, callParams(message), CALL_TIMEOUT_NANOS,
                        null)));
                t3 = System.nanoTime();
                long pid = ((StdioTransport) session.transport()).pid();
                ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration())
                        .ifPresent(d -> serverCpu.add(d.toNanos()));
                spawn.add(t1 - t0);
                handshake.add(t2 - t1);
                call.add(t3 - t2);
                return text;
            } finally {
                long c0 = System.nanoTime();
                session.close(); // stdin closed, then the process is waited for (SIGTERM/SIGKILL if it lingers)
                if (t3 != 0) {
                    close.add(System.nanoTime() - c0);
                    count.increment();
                }
            }
        };
        return new Target() {
            @Override
            public Caller caller() {
                return caller;
            }

            @Override
            public long serverCpuNanos() {
                return serverCpu.sum();
            }

            @Override
            public String note() {
                long n = count.sum();
                if (n == 0) {
                    return "";
                }
                return "mean per call (" + n + " calls): spawn " + latency(spawn.sum() / n) + ", handshake "
                        + latency(handshake.sum() / n) + ", tools/call " + latency(call.sum() / n) + ", close "
                        + latency(close.sum() / n);
            }

            @Override
            public void close() {
            }
        };
    }

    private Target sharedSession() throws Exception {
        McpSession session = newSession();
        try {
            await(session.open());
        } catch (Exception e) {
            session.close();
            throw e;
        }
        Caller caller = message -> text(await(session.request(McpMethods.TOOLS_CALL, callParams(message),
                CALL_TIMEOUT_NANOS, null)));
        return new Target() {
            @Override
            public Caller caller() {
                return caller;
            }

            @Override
            public long serverCpuNanos() {
                return childrenCpuNanos();
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    private Target pool() {
        PoolSettings settings = PoolSettings.builder()
                .minSessions(Math.min(options.poolMinSessions(), options.poolMaxSessions()))
                .maxSessions(options.poolMaxSessions())
                .maxConcurrentRequests(options.poolMaxConcurrent())
                .build();
        McpPool pool = McpPool.builder()
                .server(ServerConfig.builder(SERVER, stdio).connectTimeout(CONNECT_TIMEOUT).pool(settings).build())
                .build();
        try {
            pool.listTools(SERVER); // waits for the first session, and fills the tool cache as a real user's would be
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        Caller caller = message -> pool.callTool(SERVER, TOOL, Map.of("message", message)).text();
        return new Target() {
            @Override
            public Caller caller() {
                return caller;
            }

            @Override
            public long serverCpuNanos() {
                return childrenCpuNanos();
            }

            @Override
            public String note() {
                PoolSnapshot snap = pool.snapshot();
                EndpointSnapshot e = snap.servers().get(0).endpoints().get(0);
                return e.sessions() + " session(s) open after the window (max " + options.poolMaxSessions()
                        + ", " + options.poolMaxConcurrent() + " requests each)";
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    private static long childrenCpuNanos() {
        return ProcessHandle.current().descendants()
                .map(h -> h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .mapToLong(Long::longValue).sum();
    }

    private static long clientCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    // ------------------------------------------------------------------ the load loops

    /** What one caller thread saw of one strategy. */
    private static final class Recorder {
        long[] latencies = new long[4096];
        int count;
        long errors;
        long warmupErrors;
        long lastEnd;
        String firstError;

        void ok(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }

        void error(String what, boolean measured) {
            if (measured) {
                errors++;
            } else {
                warmupErrors++;
            }
            if (firstError == null) {
                firstError = what;
            }
        }

        static long[] sortedLatencies(List<Recorder> recorders) {
            int n = 0;
            for (Recorder r : recorders) {
                n += r.count;
            }
            long[] all = new long[n];
            int at = 0;
            for (Recorder r : recorders) {
                System.arraycopy(r.latencies, 0, all, at, r.count);
                at += r.count;
            }
            Arrays.sort(all);
            return all;
        }
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String wrongAnswer(String sent, String got) {
        return "wrong answer: sent '" + abbreviate(sent, 60) + "', got '" + abbreviate(String.valueOf(got), 60) + "'";
    }

    private Thread thread(String name, Runnable body) {
        return (options.virtualThreads() ? Thread.ofVirtual() : Thread.ofPlatform()).name(name).unstarted(body);
    }

    private Row runSessionPerCall(int concurrency) throws Exception {
        Strategy s = Strategy.SESSION_PER_CALL;
        progress(String.format(Locale.ROOT, "%-16s c=%-3d calls started within %s, all counted until the last ends",
                s.label, concurrency, human(options.spcDuration())));
        try (Target target = sessionPerCall()) {
            Caller caller = target.caller();
            List<Recorder> recorders = new ArrayList<>();
            CountDownLatch ready = new CountDownLatch(concurrency);
            CountDownLatch go = new CountDownLatch(1);
            long[] bounds = new long[2]; // start, and when to stop starting calls; written before the latch
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                Recorder rec = new Recorder();
                recorders.add(rec);
                String prefix = "spc-c" + concurrency + "-t" + i + "-";
                threads.add(thread("echo-" + s.label + "-" + i, () -> {
                    ready.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long seq = 0;
                    while (System.nanoTime() - bounds[1] < 0) {
                        String message = prefix + seq++ + padding;
                        long t0 = System.nanoTime();
                        try {
                            String got = caller.echo(message);
                            long t1 = System.nanoTime();
                            rec.lastEnd = t1;
                            if (message.equals(got)) {
                                rec.ok(t1 - t0);
                            } else {
                                rec.error(wrongAnswer(message, got), true);
                            }
                        } catch (Exception e) {
                            rec.lastEnd = System.nanoTime();
                            rec.error(describe(e), true);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            ready.await();
            long clientCpu0 = clientCpuNanos();
            long serverCpu0 = target.serverCpuNanos();
            bounds[0] = System.nanoTime();
            bounds[1] = bounds[0] + options.spcDuration().toNanos();
            go.countDown();
            join(threads);
            long clientCpu1 = clientCpuNanos();
            long serverCpu1 = target.serverCpuNanos();
            long lastEnd = bounds[0];
            long errors = 0;
            String firstError = null;
            for (Recorder r : recorders) {
                if (r.lastEnd - lastEnd > 0) {
                    lastEnd = r.lastEnd;
                }
                errors += r.errors;
                firstError = firstError == null ? r.firstError : firstError;
            }
            long[] latencies = Recorder.sortedLatencies(recorders);
            Row row = new Row(s, concurrency, latencies.length, errors, 0, (lastEnd - bounds[0]) / 1e9, latencies,
                    clientCpu1 - clientCpu0, serverCpu1 - serverCpu0, firstError, target.note(), new double[0]);
            progress(row);
            return row;
        }
    }

    /**
     * The shared session and the pool (or whichever of them were asked for) at one concurrency: both
     * set up, then the same caller threads call them in alternating slices; see the class comment.
     */
    private Map<Strategy, Row> runAlternating(List<Strategy> strategies, int concurrency) throws Exception {
        int k = strategies.size();
        long slice = options.slice().toNanos();
        int warmGroups = (int) Math.ceil((double) options.warmup().toNanos() / slice);
        int groups = (int) Math.max(1, Math.round((double) options.duration().toNanos() / slice));
        int measuredFrom = warmGroups * k;
        int phases = (warmGroups + groups) * k;
        // slice p belongs to group p / k; groups alternate their order (A B, B A, ...) so neither is always first
        Strategy[] phaseStrategy = new Strategy[phases];
        for (int p = 0; p < phases; p++) {
            int g = p / k;
            int pos = p % k;
            phaseStrategy[p] = strategies.get(g % 2 == 0 ? pos : k - 1 - pos);
        }
        progress(String.format(Locale.ROOT, "%-16s c=%-3d setting up; then %s warm-up and %s measured each, in"
                        + " alternating %s slices", String.join(" & ", strategies.stream().map(s -> s.label).toList()),
                concurrency, human(Duration.ofNanos(warmGroups * slice)), human(Duration.ofNanos(groups * slice)),
                human(options.slice())));

        Map<Strategy, Target> targets = new EnumMap<>(Strategy.class);
        try {
            for (Strategy s : strategies) {
                targets.put(s, s == Strategy.POOL ? pool() : sharedSession());
            }
            Caller[] callers = new Caller[Strategy.values().length];
            targets.forEach((s, t) -> callers[s.ordinal()] = t.caller());

            int n = Strategy.values().length;
            Recorder[][] recorders = new Recorder[concurrency][n];
            long[][] counts = new long[concurrency][phases];
            long[] start = new long[1]; // written before the latch, read after it
            CountDownLatch ready = new CountDownLatch(concurrency);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                Recorder[] mine = recorders[i];
                for (int j = 0; j < n; j++) {
                    mine[j] = new Recorder();
                }
                long[] myCounts = counts[i];
                String prefix = "c" + concurrency + "-t" + i + "-";
                threads.add(thread("echo-alternating-" + i, () -> {
                    ready.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long t = start[0];
                    long seq = 0;
                    while (true) {
                        long t0 = System.nanoTime();
                        long p = Math.max(0, t0 - t) / slice;
                        if (p >= phases) {
                            return;
                        }
                        Strategy s = phaseStrategy[(int) p];
                        Recorder rec = mine[s.ordinal()];
                        boolean measured = p >= measuredFrom;
                        String message = prefix + seq++ + padding;
                        try {
                            String got = callers[s.ordinal()].echo(message);
                            long t1 = System.nanoTime();
                            if (!message.equals(got)) {
                                rec.error(wrongAnswer(message, got), measured);
                            } else if (measured && (t1 - t) / slice == p) {
                                rec.ok(t1 - t0);
                                myCounts[(int) p]++;
                            }
                        } catch (Exception e) {
                            rec.error(describe(e), measured);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            ready.await();
            start[0] = System.nanoTime();
            go.countDown();

            // CPU at every slice boundary, so that each slice's CPU goes to its strategy
            long[] clientCpu = new long[phases + 1];
            long[] serverCpu = new long[phases + 1];
            for (int p = 0; p <= phases; p++) {
                BenchThreads.sleepUntil(start[0] + p * slice);
                clientCpu[p] = clientCpuNanos();
                serverCpu[p] = childrenCpuNanos();
            }
            join(threads);

            Map<Strategy, Row> rows = new EnumMap<>(Strategy.class);
            for (Strategy s : strategies) {
                long calls = 0;
                long client = 0;
                long server = 0;
                double[] sliceRates = new double[groups];
                int g = 0;
                for (int p = measuredFrom; p < phases; p++) {
                    if (phaseStrategy[p] != s) {
                        continue;
                    }
                    long inSlice = 0;
                    for (long[] c : counts) {
                        inSlice += c[p];
                    }
                    calls += inSlice;
                    client += clientCpu[p + 1] - clientCpu[p];
                    server += serverCpu[p + 1] - serverCpu[p];
                    sliceRates[g++] = inSlice / (slice / 1e9);
                }
                List<Recorder> mine = new ArrayList<>();
                long errors = 0;
                long warmupErrors = 0;
                String firstError = null;
                for (Recorder[] perThread : recorders) {
                    Recorder r = perThread[s.ordinal()];
                    mine.add(r);
                    errors += r.errors;
                    warmupErrors += r.warmupErrors;
                    firstError = firstError == null ? r.firstError : firstError;
                }
                Row row = new Row(s, concurrency, calls, errors, warmupErrors, groups * slice / 1e9,
                        Recorder.sortedLatencies(mine), client, server, firstError, targets.get(s).note(), sliceRates);
                progress(row);
                rows.put(s, row);
            }
            return rows;
        } finally {
            for (Target t : targets.values()) {
                t.close();
            }
        }
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        BenchThreads.join(threads, DRAIN_TIMEOUT, line -> progress(line));
    }

    // ------------------------------------------------------------------ leaks

    /** Waits a little for children to go, then reports (and ends) any that did not. Returns how many. */
    private static int checkChildren() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<ProcessHandle> alive;
        while (!(alive = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty()
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ProcessHandle h : alive) {
            System.err.println("WARNING: child process " + h.pid() + " is still running after every session and pool"
                    + " was closed: " + abbreviate(h.info().commandLine().orElse("?"), 200) + "; killing it");
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }
        return alive.size();
    }

    // ------------------------------------------------------------------ the report

    private String report(Map<Integer, Map<Strategy, Row>> rows, double elapsedSeconds, int leaked) {
        StringBuilder sb = new StringBuilder();
        sb.append("## mcp-pool echo scenario\n\n");
        sb.append(machine()).append('\n');
        sb.append(String.format(Locale.ROOT,
                "Tool: testkit stdio `echo` (one process per session). Callers: %s threads, closed loop, blocking calls."
                        + " Shared session and pool: both set up, then called by the same threads in alternating %s"
                        + " slices (A B B A A B ...), %s of warm-up then %s measured each; a call counts if it starts"
                        + " and ends in a measured slice of its strategy."
                        + " Session-per-call: callers start calls for %s and every call counts, over the time until the"
                        + " last one ends."
                        + " Pool: minSessions %d, maxSessions %d, maxConcurrentRequests %d. Latency: one call as its"
                        + " caller sees it (session-per-call: spawn, handshake, call and close). CPU/call: CPU time of"
                        + " this JVM (client) and of the server process(es) over the counted slices, per call.%n%n",
                options.virtualThreads() ? "virtual" : "platform", human(options.slice()), human(options.warmup()),
                human(options.duration()), human(options.spcDuration()), options.poolMinSessions(),
                options.poolMaxSessions(), options.poolMaxConcurrent()));
        sb.append("| strategy | callers | calls | errors | calls/s | p50 | p99 | max | client CPU/call | server CPU/call"
                + " | pool ÷ session-per-call | pool ÷ shared session |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<Integer, Map<Strategy, Row>> level : rows.entrySet()) {
            Map<Strategy, Row> byStrategy = level.getValue();
            for (Row r : byStrategy.values()) {
                String vsSpc = "";
                String vsShared = "";
                if (r.strategy() == Strategy.POOL) {
                    vsSpc = ratio(r, byStrategy.get(Strategy.SESSION_PER_CALL));
                    vsShared = ratio(r, byStrategy.get(Strategy.SHARED_SESSION));
                }
                sb.append(String.format(Locale.ROOT, "| %s | %d | %,d | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        r.strategy().label, r.concurrency(), r.calls(), r.errors(), rate(r.throughput()),
                        latency(r.percentile(50)), latency(r.percentile(99)), latency(r.max()),
                        perCall(r.clientCpuNanos(), r.calls()), perCall(r.serverCpuNanos(), r.calls()), vsSpc, vsShared));
            }
        }
        sb.append('\n');
        sb.append("Issue acceptance 8:\n\n");
        sb.append(acceptance(rows, 32, Strategy.SESSION_PER_CALL, 50.0,
                "pool ÷ session-per-call throughput at 32 callers", "at least 50×"));
        sb.append(acceptance(rows, 1, Strategy.SHARED_SESSION, 0.90,
                "pool ÷ shared-session throughput at 1 caller", "at least 0.90 (within 10%)"));
        List<String> notes = new ArrayList<>();
        for (Map<Strategy, Row> byStrategy : rows.values()) {
            for (Row r : byStrategy.values()) {
                String where = r.strategy().label + " c=" + r.concurrency() + ": ";
                if (!r.note().isEmpty()) {
                    notes.add(where + r.note());
                }
                if (r.errors() > 0 || r.warmupErrors() > 0) {
                    notes.add(where + r.errors() + " error(s) in the window, " + r.warmupErrors()
                            + " in warm-up; first: " + r.firstError());
                }
            }
        }
        for (Map<Strategy, Row> byStrategy : rows.values()) {
            Row pool = byStrategy.get(Strategy.POOL);
            Row shared = byStrategy.get(Strategy.SHARED_SESSION);
            if (pool != null && shared != null) {
                double[] paired = pairedRatios(pool, shared);
                if (paired.length > 0) {
                    notes.add(String.format(Locale.ROOT, "pool ÷ shared-session at c=%d per back-to-back slice pair:"
                                    + " median %s, range %s to %s over %d pairs", pool.concurrency(),
                            ratioText(median(paired)), ratioText(min(paired)), ratioText(max(paired)), paired.length));
                }
            }
        }
        notes.add(String.format(Locale.ROOT, "whole run: %.0f s; child processes left at exit: %d", elapsedSeconds, leaked));
        sb.append('\n');
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static String acceptance(Map<Integer, Map<Strategy, Row>> rows, int concurrency, Strategy baseline,
                                     double threshold, String what, String expected) {
        Map<Strategy, Row> level = rows.get(concurrency);
        Row pool = level == null ? null : level.get(Strategy.POOL);
        Row base = level == null ? null : level.get(baseline);
        if (pool == null || base == null || base.calls() == 0) {
            return "- " + what + ": not measured in this run (needs --concurrency including " + concurrency
                    + " and both strategies)\n";
        }
        double total = pool.throughput() / base.throughput();
        double[] paired = pairedRatios(pool, base);
        if (paired.length >= 3) {
            // Judged on the median of back-to-back pairs: robust to the machine's speed drifting during the run.
            double median = median(paired);
            boolean pass = median >= threshold && pool.errors() == 0;
            return String.format(Locale.ROOT, "- %s: **%s** as the median of %d back-to-back slice pairs (range %s to %s;"
                            + " ratio of the totals %s) (expected %s): %s%n", what, ratioText(median), paired.length,
                    ratioText(min(paired)), ratioText(max(paired)), ratioText(total), expected, pass ? "PASS" : "FAIL");
        }
        boolean pass = total >= threshold && pool.errors() == 0;
        return String.format(Locale.ROOT, "- %s: **%s** (expected %s): %s%n", what, ratioText(total), expected,
                pass ? "PASS" : "FAIL");
    }

    /** pool ÷ baseline for each pair of slices measured back to back; empty when there are no slices. */
    static double[] pairedRatios(Row pool, Row base) {
        double[] a = pool.sliceThroughputs();
        double[] b = base.sliceThroughputs();
        if (a.length == 0 || a.length != b.length) {
            return new double[0];
        }
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = b[i] == 0 ? 0 : a[i] / b[i];
        }
        return r;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    private static String ratio(Row pool, Row base) {
        if (base == null || base.calls() == 0) {
            return "";
        }
        return ratioText(pool.throughput() / base.throughput());
    }

    private static String perCall(long nanos, long calls) {
        return nanos < 0 || calls == 0 ? "–" : latency(nanos / calls);
    }

    private static void progress(String line) {
        System.err.println("[echo] " + line);
    }
}
