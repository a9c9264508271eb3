package io.mcppool.bench.saturation;

import static io.mcppool.bench.BenchText.abbreviate;
import static io.mcppool.bench.BenchText.human;
import static io.mcppool.bench.BenchText.latency;
import static io.mcppool.bench.BenchText.positive;
import static io.mcppool.bench.BenchText.rate;

import io.mcppool.bench.BenchMain;
import io.mcppool.bench.BenchText;
import io.mcppool.bench.BenchThreads;
import io.mcppool.bench.ChildProcess;
import io.mcppool.testkit.TestkitCommand;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Issue 11 acceptance 2: throughput and p99 of echo calls of 32 kB and 1 MB at 1, 32 and 128 callers, on the
 * engine before the issue's fixes and on this one, in one run.
 *
 * <p>Each cell (payload × callers) runs once per engine, each time in a new JVM ({@link SaturationDriver}): with
 * this jar's class path ("after"), or with the driver's classes and the class path {@code scripts/bench-baseline.sh}
 * built from an older commit ("before"). The two engines of a cell run one after the other, and their order flips
 * from one cell to the next (before-after, after-before, ...), so that a drift of the shared machine's speed does
 * not always favour the same one. Both talk to the same server: the testkit stdio server as this JVM's
 * {@link TestkitCommand} starts it.
 *
 * <p>A driver that reports "hung" is a result (the old engine could stop for good under this load), and so is a
 * driver that had to be killed: each is bounded, and printed as such. Every process is stopped at the end, on
 * failure, on Ctrl-C (a shutdown hook) and by the watchdog ({@code --max-time}).
 */
public final class SaturationScenario {
    private static final String DRIVER = SaturationDriver.class.getName();
    /** The default --hang-after is the call timeout plus this. */
    static final Duration HANG_MARGIN = Duration.ofSeconds(5);
    /** Start-up of a driver JVM and its first session, on a busy 2-core machine, before its load starts. */
    private static final Duration STARTUP_ALLOWANCE = Duration.ofSeconds(60);

    enum Engine {
        BEFORE("before"), AFTER("after");

        final String label;

        Engine(String label) {
            this.label = label;
        }

        static Engine of(String s) {
            for (Engine e : values()) {
                if (e.label.equals(s)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown engine '" + s + "'; known: before, after");
        }
    }

    record Options(List<Integer> payloads, List<Integer> callers, Duration warmup, Duration duration,
                   Duration callTimeout, Duration acquireTimeout, Duration hangAfter, Duration closeTimeout,
                   int maxSessions, int maxConcurrent, List<Engine> engines, Optional<String> baselineClasspath,
                   Duration maxTime) {

        static Options parse(String[] args) {
            List<Integer> payloads = List.of(32 * 1024, 1024 * 1024);
            List<Integer> callers = List.of(1, 32, 128);
            Duration warmup = Duration.ofSeconds(2);
            Duration duration = Duration.ofSeconds(6);
            Duration callTimeout = Duration.ofSeconds(30);
            Duration acquireTimeout = Duration.ofSeconds(30);
            Duration hangAfter = null; // the call timeout plus HANG_MARGIN unless given
            Duration closeTimeout = Duration.ofSeconds(15);
            int maxSessions = 4;
            int maxConcurrent = 16;
            List<Engine> engines = List.of(Engine.values());
            Optional<String> baseline = Optional.empty();
            Duration maxTime = Duration.ofMinutes(15);
            for (BenchText.Option o : BenchText.options(args)) {
                String a = o.name();
                String v = o.value();
                switch (a) {
                    case "--payloads" -> payloads = Arrays.stream(v.split(",")).map(String::trim)
                            .map(SaturationScenario::bytes).distinct().toList();
                    case "--callers" -> callers = Arrays.stream(v.split(",")).map(String::trim)
                            .map(s -> positive("--callers", s)).distinct().toList();
                    case "--warmup" -> warmup = BenchText.duration(a, v);
                    case "--duration" -> duration = positive(a, BenchText.duration(a, v));
                    case "--call-timeout" -> callTimeout = positive(a, BenchText.duration(a, v));
                    case "--acquire-timeout" -> acquireTimeout = positive(a, BenchText.duration(a, v));
                    case "--hang-after" -> hangAfter = positive(a, BenchText.duration(a, v));
                    case "--close-timeout" -> closeTimeout = positive(a, BenchText.duration(a, v));
                    case "--max-sessions" -> maxSessions = positive(a, v);
                    case "--max-concurrent" -> maxConcurrent = positive(a, v);
                    case "--engines" -> engines = Arrays.stream(v.split(",")).map(String::trim).map(Engine::of)
                            .distinct().toList();
                    case "--baseline-classpath" -> baseline = Optional.of(v);
                    case "--max-time" -> maxTime = positive(a, BenchText.duration(a, v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            // Past the call timeout, so that when a cell is called hung every call that was in flight at the last
            // answer is past its deadline too: whether the engine still ends calls by their deadlines shows.
            hangAfter = hangAfter != null ? hangAfter : callTimeout.plus(HANG_MARGIN);
            return new Options(payloads, callers, warmup, duration, callTimeout, acquireTimeout, hangAfter,
                    closeTimeout, maxSessions, maxConcurrent, engines, baseline, maxTime);
        }

        /**
         * How long the parent lets one driver run before it kills it: start-up, a warm-up that waits for every
         * caller's first call (at most hangAfter more), the window, the last calls, close(), and a margin. A call
         * ends by its timeout plus the blocking call's 10 s safety net at the latest, or the driver gives up after
         * hangAfter without an answer.
         */
        Duration driverBound() {
            Duration call = callTimeout.plus(Duration.ofSeconds(10));
            Duration slowest = call.compareTo(hangAfter) > 0 ? call : hangAfter;
            return STARTUP_ALLOWANCE.plus(warmup).plus(slowest).plus(duration).plus(slowest).plus(closeTimeout)
                    .plus(Duration.ofSeconds(15));
        }
    }

    /**
     * One engine in one cell.
     *
     * @param result what the driver wrote; empty when it wrote nothing (it was killed, or died)
     * @param orphans processes of the driver still running after it ended (killed here)
     */
    record Cell(Engine engine, int payload, int callers, Properties result, boolean killed, int exitCode,
                double wallSeconds, int orphans, String logTail) {
        String get(String key) {
            return result.getProperty(key, "");
        }

        long number(String key) {
            String v = get(key);
            return v.isEmpty() ? -1 : Long.parseLong(v);
        }

        double decimal(String key) {
            String v = get(key);
            return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        }

        boolean hasResult() {
            return !result.isEmpty() && get("failure").isEmpty();
        }

        boolean hung() {
            return Boolean.parseBoolean(get("hung"));
        }

        double throughput() {
            double s = decimal("windowSeconds");
            return hasResult() && s > 0 ? number("windowCalls") / s : 0;
        }
    }

    private final Options options;
    private final Path work;
    private final List<String> serverCommand;
    private final List<ChildProcess> started = new CopyOnWriteArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private SaturationScenario(Options options) throws IOException {
        this.options = options;
        this.work = Files.createTempDirectory("mcp-pool-bench-saturation-");
        this.serverCommand = TestkitCommand.stdio();
    }

    /** Runs the scenario; returns the exit code: 0, 2 for bad options or no baseline, 3 when a process was left over. */
    public static int run(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("saturation: " + e.getMessage());
            System.err.println(BenchMain.usage());
            return 2;
        }
        return new SaturationScenario(options).runAll();
    }

    private int runAll() throws Exception {
        long t0 = System.nanoTime();
        String loadBefore = BenchText.loadAverage();
        progress("load average before: " + loadBefore);
        String afterClasspath = System.getProperty("java.class.path");
        String beforeClasspath = null;
        if (options.engines().contains(Engine.BEFORE)) {
            Optional<String> baseline = baselineClasspath();
            if (baseline.isEmpty()) {
                System.err.println("saturation: no class path for the \"before\" engine: run scripts/bench-baseline.sh"
                        + " [commit] first (it writes mcp-pool-bench/target/baseline/classpath.txt), give"
                        + " --baseline-classpath CP (or @FILE), or leave it out with --engines after");
                deleteWork();
                return 2;
            }
            beforeClasspath = extractDriver() + File.pathSeparator + baseline.get();
            notes.add("before: " + baselineCommit().map(c -> "commit " + c.substring(0, Math.min(10, c.length())) + ", ")
                    .orElse("") + "class path: this driver's classes, then " + abbreviate(baseline.get(), 300));
        }
        notes.add("after: this jar (" + abbreviate(afterClasspath, 200) + ")");
        Path commandFile = work.resolve("server-command.txt");
        Files.write(commandFile, serverCommand, StandardCharsets.UTF_8);
        progress("server: " + abbreviate(String.join(" ", serverCommand), 240));

        BenchThreads.Guard guard = BenchThreads.Guard.start("saturation", options.maxTime(), this::closeAll);
        List<Cell> cells = new ArrayList<>();
        int orphans = 0;
        try {
            int index = 0;
            for (int payload : options.payloads()) {
                for (int callers : options.callers()) {
                    List<Engine> order = new ArrayList<>(options.engines());
                    if (index++ % 2 == 1) {
                        Collections.reverse(order);
                    }
                    for (Engine e : order) {
                        Cell cell = runCell(e, e == Engine.BEFORE ? beforeClasspath : afterClasspath, payload, callers,
                                commandFile, index);
                        orphans += cell.orphans();
                        cells.add(cell);
                    }
                }
            }
        } finally {
            guard.close();
        }
        int leaked = ChildProcess.killLeftovers("after every driver ended") + orphans;
        String loadAfter = BenchText.loadAverage();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        System.out.println(report(cells, elapsed, leaked, loadBefore, loadAfter));
        deleteWork();
        return leaked > 0 ? 3 : 0;
    }

    // ------------------------------------------------------------------ the engines

    /** --baseline-classpath (a class path, or @FILE holding one), else what scripts/bench-baseline.sh wrote. */
    private Optional<String> baselineClasspath() throws IOException {
        Optional<String> given = options.baselineClasspath();
        if (given.isPresent()) {
            String v = given.get();
            return Optional.of(v.startsWith("@") ? Files.readString(Path.of(v.substring(1))).trim() : v);
        }
        Optional<Path> file = baselineFile("classpath.txt");
        return file.isPresent() ? Optional.of(Files.readString(file.get()).trim()) : Optional.empty();
    }

    private Optional<String> baselineCommit() {
        try {
            Optional<Path> file = options.baselineClasspath().isPresent() ? Optional.empty() : baselineFile("commit.txt");
            return file.isPresent() ? Optional.of(Files.readString(file.get()).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code target/baseline/NAME} beside this jar, or under mcp-pool-bench/ of the working directory. */
    private static Optional<Path> baselineFile(String name) {
        List<Path> candidates = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().getParent();
            if (p != null) {
                candidates.add(p.resolve("baseline").resolve(name));
            }
        }
        candidates.add(Path.of("mcp-pool-bench", "target", "baseline", name).toAbsolutePath());
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    /**
     * Copies the driver's classes (it and its nested classes, nothing else of this module) to a folder of their
     * own, the first entry of the "before" class path: the older engine must not meet any class of this one.
     */
    private String extractDriver() throws IOException {
        Path dir = work.resolve("driver");
        for (Class<?> c : SaturationDriver.class.getNestMembers()) {
            String resource = c.getName().replace('.', '/') + ".class";
            Path target = dir.resolve(resource);
            Files.createDirectories(target.getParent());
            try (InputStream in = SaturationDriver.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("no " + resource + " on this class path");
                }
                Files.copy(in, target);
            }
        }
        return dir.toString();
    }

    // ------------------------------------------------------------------ one cell

    private Cell runCell(Engine engine, String classpath, int payload, int callers, Path commandFile, int index)
            throws IOException {
        String name = String.format(Locale.ROOT, "%s c=%d %s", size(payload), callers, engine.label);
        Path out = work.resolve("cell-" + index + "-" + engine.label + ".properties");
        Path log = work.resolve("cell-" + index + "-" + engine.label + ".log");
        List<String> cmd = new ArrayList<>(List.of(TestkitCommand.javaExecutable(), "-cp", classpath, DRIVER,
                "--out", out.toString(), "--server-command", commandFile.toString(),
                "--payload-bytes", Integer.toString(payload), "--callers", Integer.toString(callers),
                "--warmup-ms", Long.toString(options.warmup().toMillis()),
                "--duration-ms", Long.toString(options.duration().toMillis()),
                "--call-timeout-ms", Long.toString(options.callTimeout().toMillis()),
                "--acquire-timeout-ms", Long.toString(options.acquireTimeout().toMillis()),
                "--hang-after-ms", Long.toString(options.hangAfter().toMillis()),
                "--close-timeout-ms", Long.toString(options.closeTimeout().toMillis()),
                "--max-sessions", Integer.toString(options.maxSessions()),
                "--max-concurrent", Integer.toString(options.maxConcurrent())));
        progress(name + ": running");
        long t0 = System.nanoTime();
        ChildProcess p = ChildProcess.start("saturation " + name, cmd, log);
        started.add(p);
        boolean ended = p.awaitExit(options.driverBound());
        double wall = (System.nanoTime() - t0) / 1e9;
        int orphans = 0;
        int exit = -1;
        if (ended) {
            exit = p.exitValue();
            orphans = p.orphans().size();
            if (orphans > 0) {
                progress("WARNING: " + name + ": " + orphans + " process(es) of the driver outlived it; killing them");
            }
        } else {
            progress("WARNING: " + name + ": the driver still runs after " + human(options.driverBound()) + "; killing it");
        }
        p.close(Duration.ofSeconds(5));
        started.remove(p);
        Properties result = new Properties();
        if (Files.isRegularFile(out)) {
            try (Reader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
                result.load(r);
            }
        }
        Cell cell = new Cell(engine, payload, callers, result, !ended, exit, wall, orphans,
                result.isEmpty() || !result.getProperty("failure", "").isEmpty() ? p.tail(1500) : "");
        progress(String.format(Locale.ROOT, "%s: %s calls/s, p50 %s, p99 %s, errors %s; %s (%.0f s)", name,
                rate(cell.throughput()), latency(cell.number("p50Nanos")), latency(cell.number("p99Nanos")),
                errors(cell), outcome(cell), wall));
        if (!cell.logTail().isEmpty()) {
            progress(name + ": the end of its log:\n" + cell.logTail());
        }
        return cell;
    }

    private void closeAll() {
        for (ChildProcess p : started) {
            p.close(Duration.ofSeconds(5));
            started.remove(p);
        }
    }

    private void deleteWork() {
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temp folder left behind
        }
    }

    // ------------------------------------------------------------------ the report

    private String outcome(Cell c) {
        if (c.killed()) {
            return String.format(Locale.ROOT, "no result: the driver was still running after %s and was killed",
                    human(options.driverBound()));
        }
        if (c.result().isEmpty()) {
            return "no result: the driver ended with exit code " + c.exitCode() + " and wrote nothing";
        }
        if (!c.get("failure").isEmpty()) {
            return "failed: " + abbreviate(c.get("failure"), 200);
        }
        String close = Boolean.parseBoolean(c.get("closeReturned"))
                ? "close() returned in " + latency(c.number("closeMillis") * 1_000_000)
                : "close() did not return within " + human(options.closeTimeout());
        String warmup = c.get("warmupSeconds").isEmpty() ? ""
                : String.format(Locale.ROOT, "warm-up %.1f s%s; ", c.decimal("warmupSeconds"),
                        c.number("warmupWithoutAnswer") > 0 ? ", cut with " + c.number("warmupWithoutAnswer")
                                + " callers still in their first call" : "");
        if (c.hung()) {
            String oldest = c.get("oldestCallSeconds").isEmpty() ? ""
                    : String.format(Locale.ROOT, ", the oldest since %.1f s", c.decimal("oldestCallSeconds"));
            return String.format(Locale.ROOT, "**hung**: %d of %d callers still in a call at %.1f s%s, %d of them past"
                            + " their %s deadline; the last of %,d answers at %.1f s; %s%s", c.number("inFlight"),
                    c.callers(), c.decimal("stoppedSeconds"), oldest, c.number("pastDeadline"),
                    human(options.callTimeout()), c.number("answered"), c.decimal("lastAnswerSeconds"), warmup, close);
        }
        return "ok (" + warmup + close + ")";
    }

    private static String errors(Cell c) {
        if (!c.hasResult()) {
            return "–";
        }
        long n = c.number("errors");
        return n == 0 ? "0" : String.format(Locale.ROOT, "%,d (%s)", n, c.get("errorTypes"));
    }

    private String report(List<Cell> cells, double elapsed, int leaked, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("## mcp-pool saturation scenario\n\n");
        sb.append(BenchText.machine().trim()).append(" Load average before the run: ").append(loadBefore)
                .append("; after: ").append(loadAfter).append(".\n\n");
        sb.append(String.format(Locale.ROOT, "Workload: the testkit stdio server, tool `echo`, messages of exactly the"
                        + " payload's size (ASCII). Each cell runs each engine in a JVM of its own: a pool with"
                        + " minSessions 1, maxSessions %d, maxConcurrentRequests %d, acquireTimeout %s; callers are"
                        + " virtual threads in a closed loop, every call with a %s timeout (`CallOptions`). Warm-up: at"
                        + " least %s and until every caller has had a call end (at most --hang-after more); then %s"
                        + " measured: a call counts if its answer comes within the window (its latency is from its"
                        + " start), and the answer must equal the message. Errors: every call that failed or answered wrongly, warm-up and the last calls"
                        + " after the window included. A driver reports **hung** when no call has been answered for %s;"
                        + " it then gives close() %s. The two engines of a cell run one after the other, their order"
                        + " flipping from cell to cell.%n%n", options.maxSessions(), options.maxConcurrent(),
                human(options.acquireTimeout()), human(options.callTimeout()), human(options.warmup()),
                human(options.duration()), human(options.hangAfter()), human(options.closeTimeout())));

        List<Engine> engines = options.engines();
        sb.append("| payload | callers |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (Engine e : engines) {
            sb.append(String.format(Locale.ROOT, " %s calls/s | %s p50 | %s p99 |", e.label, e.label, e.label));
            rule.append("---:|---:|---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (int payload : options.payloads()) {
            for (int callers : options.callers()) {
                sb.append("| ").append(size(payload)).append(" | ").append(callers).append(" |");
                for (Engine e : engines) {
                    Cell c = find(cells, e, payload, callers);
                    if (c == null || !c.hasResult()) {
                        sb.append(" no result | | |");
                    } else if (c.hung()) {
                        sb.append(' ').append(rate(c.throughput())).append(" (hung) | ")
                                .append(latency(c.number("p50Nanos"))).append(" | ")
                                .append(latency(c.number("p99Nanos"))).append(" |");
                    } else {
                        sb.append(' ').append(rate(c.throughput())).append(" | ").append(latency(c.number("p50Nanos")))
                                .append(" | ").append(latency(c.number("p99Nanos"))).append(" |");
                    }
                }
                sb.append('\n');
            }
        }
        sb.append('\n');
        sb.append("| payload | callers | engine | calls | calls/s | p50 | p99 | max | errors | outcome |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---|---|\n");
        for (Cell c : cells) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    size(c.payload()), c.callers(), c.engine().label,
                    c.hasResult() ? String.format(Locale.ROOT, "%,d", c.number("windowCalls")) : "–",
                    c.hasResult() ? rate(c.throughput()) : "–", latency(c.number("p50Nanos")),
                    latency(c.number("p99Nanos")), latency(c.number("maxNanos")), errors(c), outcome(c)));
        }
        sb.append('\n');
        List<String> all = new ArrayList<>(notes);
        for (Engine e : engines) {
            cells.stream().filter(c -> c.engine() == e && !c.get("engine").isEmpty()).findFirst().ifPresent(c ->
                    all.add(e.label + " engine: McpPool loaded from " + abbreviate(c.get("engine"), 160)
                            + "; per-process writer thread (" + SaturationDriver.WRITER_CLASS + "): "
                            + (Boolean.parseBoolean(c.get("engineHasWriterThread")) ? "yes" : "no")));
        }
        for (Cell c : cells) {
            String where = size(c.payload()) + " c=" + c.callers() + " " + c.engine().label + ": ";
            if (!c.get("firstError").isEmpty()) {
                all.add(where + "first error: " + abbreviate(c.get("firstError"), 300));
            }
            if (c.number("processesKilled") > 0) {
                all.add(where + "the driver killed " + c.number("processesKilled") + " server process(es) still"
                        + " running after close()");
            }
            if (!c.get("closeStack").isEmpty()) {
                all.add(where + "close() was in " + abbreviate(c.get("closeStack"), 400));
            }
        }
        all.add(String.format(Locale.ROOT, "whole run: %.0f s; processes left over at the end: %d", elapsed, leaked));
        for (String n : all) {
            sb.append("- ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static Cell find(List<Cell> cells, Engine e, int payload, int callers) {
        return cells.stream().filter(c -> c.engine() == e && c.payload() == payload && c.callers() == callers)
                .findFirst().orElse(null);
    }

    /** {@code 32k}, {@code 1m}, or a number of bytes. */
    static int bytes(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            long n;
            if (s.endsWith("k")) {
                n = Long.parseLong(s.substring(0, s.length() - 1)) * 1024;
            } else if (s.endsWith("m")) {
                n = Long.parseLong(s.substring(0, s.length() - 1)) * 1024 * 1024;
            } else {
                n = Long.parseLong(s);
            }
            // the pool's default maxMessageBytes is 16 MiB, and the answer wraps the message
            if (n < 1 || n > 8L * 1024 * 1024) {
                throw new IllegalArgumentException("--payloads: " + v + " is not between 1 byte and 8m");
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--payloads: '" + v + "' is not a size (like 32k, 1m or 500)");
        }
    }

    /** 32768 as {@code 32 kB}, 1048576 as {@code 1 MB} (units of 1,024). */
    static String size(int bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MB";
        }
        if (bytes % 1024 == 0) {
            return bytes / 1024 + " kB";
        }
        return bytes + " B";
    }

    private static void progress(String line) {
        System.err.println("[saturation] " + line);
    }
}
