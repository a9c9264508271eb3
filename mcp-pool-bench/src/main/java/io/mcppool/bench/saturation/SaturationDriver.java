package io.mcppool.bench.saturation;

import io.mcppool.call.CallOptions;
import io.mcppool.McpPool;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One cell of {@link SaturationScenario}, in a JVM of its own: an {@link McpPool} on the testkit stdio server, called
 * by N virtual threads in a closed loop with echo messages of a fixed size, for a warm-up and a measured window.
 *
 * <p>The same compiled class runs against two engines: the scenario starts it with this jar's class path ("after")
 * or with an older build of core and testkit ("before", see {@code scripts/bench-baseline.sh}). So it uses only
 * the JDK and the part of the public API both have: {@code McpPool.builder().server(...)}, {@code ServerConfig},
 * {@code EndpointConfig.Stdio}, {@code PoolSettings}, {@code callTool(server, tool, args, CallOptions)} with a
 * per-call timeout, and {@code close()}. Nothing else of this module is on the "before" class path: only this
 * class and its nested ones.
 *
 * <p>Warm-up lasts {@code --warmup-ms} and until every caller has had a call end; then a call counts in the
 * {@code --duration-ms} window if it is answered (correctly) within it, with its latency from its start. The
 * callers stop starting calls when the window ends, and every call started is waited for.
 *
 * <p>A pool that stops answering is a result, not a failure: when no call has been answered for
 * {@code --hang-after-ms}, the driver stops waiting, records "hung", gives {@code close()} at most
 * {@code --close-timeout-ms} on a thread of its own, kills the server processes it started, writes its result and
 * halts, whatever the engine's threads are still doing. The scenario kills it from outside if even that fails.
 *
 * <p>Arguments are {@code --name value} pairs (all required, durations in milliseconds); the result is a
 * properties file written to {@code --out} (written to a temporary file and moved, so it is whole or absent).
 */
public final class SaturationDriver {
    static final String SERVER = "echo";
    static final String TOOL = "echo";
    /** A class that exists only in an engine with the per-process writer thread (for the notes, not a check). */
    static final String WRITER_CLASS = "io.mcppool.internal.transport.MessageWriter";
    private static final long POLL_MILLIS = 50;
    /** Latencies kept per caller at most; more calls than that in one window means the window is far too long. */
    private static final int MAX_SAMPLES_PER_CALLER = 4_000_000;

    private SaturationDriver() {
    }

    /** The measured window: from and to (nanoTime), published once by the main thread. */
    private static final class Window {
        volatile boolean set;
        long from;
        long to;

        void open(long from, long to) {
            this.from = from;
            this.to = to;
            set = true; // the volatile write publishes from and to
        }
    }

    /**
     * What one caller thread saw. Written by that thread only; read when it has ended, or while it is stuck in a
     * call of a hung engine, hence the (uncontended) lock.
     */
    private static final class CallerStats {
        long[] latencies = new long[256];
        int samples;
        long overflow;
        final Map<String, Long> errors = new HashMap<>();
        String firstError;
        /** When the call in progress started (nanoTime), 0 between calls: read by the main thread at the end. */
        volatile long inCallSince;

        synchronized void sample(long nanos) {
            if (samples == latencies.length) {
                if (samples >= MAX_SAMPLES_PER_CALLER) {
                    overflow++;
                    return;
                }
                latencies = Arrays.copyOf(latencies, Math.min(MAX_SAMPLES_PER_CALLER, samples * 2));
            }
            latencies[samples++] = nanos;
        }

        synchronized void error(String type, String message) {
            errors.merge(type, 1L, Long::sum);
            if (firstError == null) {
                firstError = type + ": " + message;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        Path out = Path.of(a.get("--out"));
        Properties result = new Properties();
        int exit = 0;
        try {
            run(a, result);
        } catch (Throwable t) {
            result.setProperty("failure", t.getClass().getSimpleName() + ": " + t.getMessage());
            t.printStackTrace();
            exit = 1;
        }
        result.setProperty("processesKilled", Integer.toString(killServers()));
        write(result, out);
        System.out.flush();
        System.err.flush();
        // A hung engine's threads (a reader or writer blocked on a pipe, callers waiting) must not hold the JVM.
        Runtime.getRuntime().halt(exit);
    }

    private static void run(Map<String, String> a, Properties result) throws Exception {
        List<String> command = Files.readAllLines(Path.of(a.get("--server-command")));
        int payload = Integer.parseInt(a.get("--payload-bytes"));
        int callers = Integer.parseInt(a.get("--callers"));
        long warmup = millis(a, "--warmup-ms");
        long window = millis(a, "--duration-ms");
        Duration callTimeout = Duration.ofMillis(Long.parseLong(a.get("--call-timeout-ms")));
        long hangAfter = millis(a, "--hang-after-ms");
        long closeTimeout = millis(a, "--close-timeout-ms");
        PoolSettings settings = PoolSettings.builder().minSessions(1)
                .maxSessions(Integer.parseInt(a.get("--max-sessions")))
                .maxConcurrentRequests(Integer.parseInt(a.get("--max-concurrent")))
                .acquireTimeout(Duration.ofMillis(Long.parseLong(a.get("--acquire-timeout-ms"))))
                .build();
        result.setProperty("engine", location(McpPool.class));
        result.setProperty("engineHasWriterThread", Boolean.toString(exists(WRITER_CLASS)));

        McpPool pool = McpPool.builder()
                .server(ServerConfig.builder(SERVER, new EndpointConfig.Stdio(command.get(0),
                                command.subList(1, command.size())))
                        .connectTimeout(Duration.ofSeconds(60)).callTimeout(callTimeout).pool(settings).build())
                .build();
        CallOptions options = CallOptions.builder().timeout(callTimeout).build();
        // one small call first: the first session is open and the server answers before the clock starts
        String ready = pool.callTool(SERVER, TOOL, Map.of("message", "ready"), options).text();
        if (!"ready".equals(ready)) {
            throw new IllegalStateException("the echo tool answered '" + ready + "' to 'ready'");
        }

        String padding = "x".repeat(payload);
        CallerStats[] stats = new CallerStats[callers];
        LongAdder answered = new LongAdder();
        long start = System.nanoTime();
        AtomicLong lastAnswer = new AtomicLong(start);
        Window measured = new Window();
        // warm-up lasts at least --warmup-ms and until every caller has had a call end: with 128 callers of 1 MB
        // one call can take longer than the warm-up, and the first calls of a closed loop wait less than the rest
        CountDownLatch warmedUp = new CountDownLatch(callers);
        CountDownLatch done = new CountDownLatch(callers);
        for (int i = 0; i < callers; i++) {
            CallerStats mine = new CallerStats();
            stats[i] = mine;
            String prefix = "t" + i + "-";
            Thread.ofVirtual().name("saturation-caller-" + i).start(() -> {
                try {
                    long seq = 0;
                    boolean first = true;
                    while (true) {
                        long t0 = System.nanoTime();
                        if (measured.set && t0 - measured.to >= 0) {
                            return;
                        }
                        String head = prefix + seq++ + "-";
                        String message = head.length() >= payload ? head
                                : head + padding.substring(0, payload - head.length());
                        mine.inCallSince = t0 == 0 ? 1 : t0;
                        try {
                            String got = pool.callTool(SERVER, TOOL, Map.of("message", message), options).text();
                            long t1 = System.nanoTime();
                            if (!message.equals(got)) {
                                mine.error("WrongAnswer", "sent " + message.length() + " characters starting '" + head
                                        + "', got " + (got == null ? "null" : got.length() + " characters"));
                            } else {
                                answered.increment();
                                lastAnswer.accumulateAndGet(t1, Math::max);
                                if (measured.set && t1 - measured.from >= 0 && t1 - measured.to <= 0) {
                                    mine.sample(t1 - t0);
                                }
                            }
                        } catch (Exception e) {
                            Throwable c = unwrap(e);
                            mine.error(errorType(c), String.valueOf(c.getMessage()));
                        }
                        mine.inCallSince = 0;
                        if (first) {
                            first = false;
                            warmedUp.countDown();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }

        // Warm-up, the window, then until every caller has ended its last call (each call started ends, by its
        // answer or its deadline): unless no call at all is answered for hangAfter, which makes the cell "hung".
        // Warm-up waits for every caller's first call at most hangAfter longer: a pool with some sessions wedged
        // and one still answering would otherwise keep the other callers in warm-up for ever.
        long hangNanos = TimeUnit.MILLISECONDS.toNanos(hangAfter);
        long warmupEnd = start + TimeUnit.MILLISECONDS.toNanos(warmup);
        long warmupCap = warmupEnd + hangNanos;
        boolean hung = false;
        while (!done.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            if (now - lastAnswer.get() > hangNanos) {
                hung = true;
                break;
            }
            if (!measured.set && now - warmupEnd >= 0 && (warmedUp.getCount() == 0 || now - warmupCap >= 0)) {
                result.setProperty("warmupWithoutAnswer", Long.toString(warmedUp.getCount()));
                measured.open(now, now + TimeUnit.MILLISECONDS.toNanos(window));
            }
        }
        long stopped = System.nanoTime();
        // the calls still in progress: how old the oldest is, and how many are past their deadline
        long pastDeadline = 0;
        long oldest = stopped;
        for (CallerStats st : stats) {
            long since = st.inCallSince;
            if (since != 0) {
                oldest = since - oldest < 0 ? since : oldest;
                if (stopped - since > callTimeout.toNanos()) {
                    pastDeadline++;
                }
            }
        }
        result.setProperty("pastDeadline", Long.toString(pastDeadline));
        result.setProperty("oldestCallSeconds", oldest == stopped ? "" : seconds(oldest - start));
        result.setProperty("hung", Boolean.toString(hung));
        result.setProperty("answered", Long.toString(answered.sum()));
        result.setProperty("lastAnswerSeconds", seconds(lastAnswer.get() - start));
        result.setProperty("stoppedSeconds", seconds(stopped - start));
        result.setProperty("inFlight", Long.toString(done.getCount()));
        result.setProperty("warmupSeconds", measured.set ? seconds(measured.from - start) : "");

        // a snapshot of the callers' stats: a hung caller does not write any more
        List<Long> latencies = new ArrayList<>();
        Map<String, Long> errors = new TreeMap<>();
        String firstError = null;
        long overflow = 0;
        for (CallerStats s : stats) {
            synchronized (s) {
                for (int i = 0; i < s.samples; i++) {
                    latencies.add(s.latencies[i]);
                }
                s.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
                firstError = firstError == null ? s.firstError : firstError;
                overflow += s.overflow;
            }
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        result.setProperty("windowSeconds", measured.set ? seconds(TimeUnit.MILLISECONDS.toNanos(window)) : "");
        result.setProperty("windowCalls", Long.toString(sorted.length + overflow));
        result.setProperty("p50Nanos", Long.toString(percentile(sorted, 50)));
        result.setProperty("p99Nanos", Long.toString(percentile(sorted, 99)));
        result.setProperty("maxNanos", Long.toString(sorted.length == 0 ? -1 : sorted[sorted.length - 1]));
        result.setProperty("errors", Long.toString(errors.values().stream().mapToLong(Long::longValue).sum()));
        StringBuilder types = new StringBuilder();
        errors.forEach((k, v) -> types.append(types.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
        result.setProperty("errorTypes", types.toString());
        if (firstError != null) {
            result.setProperty("firstError", firstError.length() > 300 ? firstError.substring(0, 300) + "..." : firstError);
        }

        // close() on a thread of its own: on a hung engine it may never return
        long c0 = System.nanoTime();
        Thread closer = Thread.ofPlatform().daemon().name("saturation-close").start(pool::close);
        closer.join(Duration.ofMillis(closeTimeout));
        boolean closed = !closer.isAlive();
        result.setProperty("closeReturned", Boolean.toString(closed));
        result.setProperty("closeMillis", Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0)));
        if (!closed) {
            result.setProperty("closeStack", stack(closer));
        }
    }

    /** Kills the server processes still running (after close() they should be none); returns how many there were. */
    private static int killServers() {
        List<ProcessHandle> alive = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        alive.forEach(ProcessHandle::destroyForcibly);
        return alive.size();
    }

    /**
     * The exception's class name; a {@code CallTimeoutException} from the blocking call's own safety net (its
     * wait ended {@code SAFETY_MARGIN} after the deadline: the engine never ended the call) is told apart by its
     * message, which both engines share.
     */
    private static String errorType(Throwable e) {
        String type = e.getClass().getSimpleName();
        String message = String.valueOf(e.getMessage());
        return message.contains("did not end by its deadline plus") ? type + " (deadline missed)" : type;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Where a thread is, in mcp-pool's own frames (the JDK's parking frames above them say little). */
    private static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("io.mcppool.") && !e.getClassName().startsWith(SaturationDriver.class.getName())) {
                sb.append(sb.isEmpty() ? "" : " <- ").append(e);
            }
        }
        return sb.toString();
    }

    private static String seconds(long nanos) {
        return Double.toString(nanos / 1e9);
    }

    private static long millis(Map<String, String> a, String key) {
        return Long.parseLong(a.get(key));
    }

    private static String location(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? "?" : source.getLocation().toString();
    }

    private static boolean exists(String className) {
        try {
            Class.forName(className, false, SaturationDriver.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        for (String required : List.of("--out", "--server-command", "--payload-bytes", "--callers", "--warmup-ms",
                "--duration-ms", "--call-timeout-ms", "--hang-after-ms", "--close-timeout-ms", "--max-sessions",
                "--max-concurrent", "--acquire-timeout-ms")) {
            if (!a.containsKey(required)) {
                System.err.println("SaturationDriver: " + required + " is missing (started by BenchMain saturation)");
                Runtime.getRuntime().halt(2);
            }
        }
        return a;
    }

    private static void write(Properties p, Path out) {
        try {
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp)) {
                p.store(os, "BenchMain saturation: one cell");
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
