package io.mcppool.internal.transport;

import io.mcppool.transport.Transport;
import io.mcppool.transport.TransportException;
import io.mcppool.config.ChildEnvironment;
import io.mcppool.config.EndpointConfig;
import io.mcppool.logging.RateLimitedLog;
import io.mcppool.config.Redaction;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.MalformedMessageException;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mcppool.transport.NotSentException;
/**
 * A server run as a child process: newline-delimited JSON-RPC on stdin/stdout, logging on stderr.
 *
 * <p>Three daemon threads per process: one writes stdin from a bounded queue ({@link MessageWriter}: a
 * sender never blocks on a server that stopped reading), two read stdout and stderr. A line longer than the
 * maximum message size ends the session (the reader stops buffering at the limit, so a runaway server
 * cannot eat memory); a line that is not JSON is logged and skipped. What the server writes outside the
 * protocol is logged at most {@code logLinesPerMinute} lines a minute per stream, and the last lines of its
 * stderr go into the error when it exits on its own.
 *
 * <p>The process leads a session of its own where the platform allows ({@link ProcessTree}), so everything it
 * starts can be ended with it, even after it exited itself. Shutdown is the spec's: close stdin, wait, SIGTERM,
 * wait, SIGKILL, within a budget; then the rest of its process tree gets SIGTERM and SIGKILL. Once all of them
 * are gone, the pipes close and the three threads end.
 */
public final class StdioTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(StdioTransport.class);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** stderr lines longer than this are cut; the server is never blocked on its stderr. */
    private static final int MAX_STDERR_LINE = 8192;
    /** How much of a line goes into the log. */
    private static final int MAX_LOGGED_CHARS = RateLimitedLog.MAX_LINE_CHARS;
    /** The last stderr lines kept for the error of a process that exits on its own. */
    private static final int TAIL_LINES = 20;
    private static final int TAIL_LINE_CHARS = 300;
    /** How much of a stderr line the tail keeps before it is redacted and cut to {@link #TAIL_LINE_CHARS}. */
    private static final int TAIL_KEPT_CHARS = 4 * TAIL_LINE_CHARS;
    private static final long READER_STACK_BYTES = 256 * 1024;
    /** How long the report of an exit waits for the last stderr lines. */
    private static final long TAIL_WAIT_MILLIS = 250;
    /** After SIGKILL, how long to wait for the processes to be gone. */
    private static final Duration KILL_WAIT = Duration.ofMillis(500);

    private final String server;
    private final EndpointConfig.Stdio config;
    private final int maxMessageBytes;
    private final RateLimitedLog stderrLog;
    private final RateLimitedLog strayStdoutLog;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean closedReported = new AtomicBoolean();
    private final CompletableFuture<Void> shutdownDone = new CompletableFuture<>();
    private final CompletableFuture<Void> stderrEnded = new CompletableFuture<>();
    private final ReentrantLock tailLock = new ReentrantLock();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>(TAIL_LINES);

    private final LiveProcesses processes;
    private volatile Process process;
    private volatile ProcessTree tree;
    private volatile MessageWriter writer;
    private volatile Listener listener;

    /** With the default log limit, nobody told of skipped lines, and no pool to account for its process. */
    public StdioTransport(String server, EndpointConfig.Stdio config, int maxMessageBytes) {
        this(server, config, maxMessageBytes, UpstreamLogs.of(server), new LiveProcesses());
    }

    /**
     * @param logs      where stderr and stray stdout lines go, each limited per minute for the whole endpoint
     * @param processes where its process is accounted for from its start until it and what it started are gone
     */
    public StdioTransport(String server, EndpointConfig.Stdio config, int maxMessageBytes, UpstreamLogs logs,
                          LiveProcesses processes) {
        this.processes = processes;
        this.server = server;
        this.config = config;
        this.maxMessageBytes = maxMessageBytes;
        this.stderrLog = logs.stderr();
        this.strayStdoutLog = logs.strayStdout();
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        List<String> command = new ArrayList<>(config.args().size() + 1);
        command.add(config.command());
        command.addAll(config.args());
        ProcessBuilder builder = new ProcessBuilder(ProcessTree.inOwnSession(command));
        // Not the gateway's whole environment, which holds its own credentials: the short list, inheritEnv, env.
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(ChildEnvironment.of(config, System.getenv()));
        config.cwd().ifPresent(dir -> builder.directory(dir.toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        Optional<String> missing = ProcessTree.missingProgram(config.command(), builder.environment(), config.cwd());
        if (missing.isPresent()) {
            throw new TransportException("cannot start '" + describe() + "'" + inCwd() + ": " + missing.get(), null, true);
        }
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw new TransportException("cannot start '" + describe() + "'" + inCwd() + ": " + e.getMessage(), e, true);
        }
        process = p;
        tree = ProcessTree.of(p);
        processes.started(tree);
        int n = SEQUENCE.incrementAndGet();
        writer = new MessageWriter("mcp-pool-stdin-" + server + "-" + n, new BufferedOutputStream(p.getOutputStream(),
                64 * 1024), MessageWriter.DEFAULT_MAX_QUEUED_NOTICES, MessageWriter.DEFAULT_MAX_QUEUED,
                e -> onWriteFailed(p, e));
        startDaemon("mcp-pool-stdout-" + server + "-" + n, () -> readStdout(p.getInputStream()));
        startDaemon("mcp-pool-stderr-" + server + "-" + n, () -> readStderr(p.getErrorStream()));
        p.onExit().thenAccept(this::onProcessExit);
        log.debug("server '{}': started pid {}: {}", server, p.pid(), describe());
    }

    private String inCwd() {
        return config.cwd().map(d -> " in " + d).orElse("");
    }

    private static void startDaemon(String name, Runnable body) {
        Thread t = new Thread(null, body, name, READER_STACK_BYTES);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        MessageWriter w = writer;
        if (w == null) {
            return CompletableFuture.failedFuture(new NotSentException("'" + describe() + "' was not started"));
        }
        return w.send(message);
    }

    @Override
    public boolean trySend(JsonRpcMessage message) {
        MessageWriter w = writer;
        return w != null && w.offer(message);
    }

    private void readStdout(InputStream in) {
        LineReader reader = new LineReader(in, maxMessageBytes);
        try (in) {
            while (true) {
                int length = reader.next();
                if (length == LineReader.TOO_LONG) {
                    reportClosed(new TransportException("server sent a message larger than maxMessageSize ("
                            + maxMessageBytes + " bytes); closing the session"));
                    return;
                }
                if (length < 0) {
                    break;
                }
                if (length == 0 || reader.isBlank(length)) {
                    continue;
                }
                JsonRpcMessage message;
                try {
                    message = JsonRpcCodec.decode(reader.buffer(), 0, length);
                } catch (MalformedMessageException e) {
                    // Cut at a word (the log redacts it, and a cut word could be half a secret), then logged.
                    strayStdoutLog.log("a stdout line that is not a JSON-RPC message was skipped: {}",
                            Redaction.cutAtWord(new String(reader.buffer(), 0, Math.min(length, MAX_LOGGED_CHARS + 1),
                                    StandardCharsets.UTF_8), MAX_LOGGED_CHARS));
                    continue;
                }
                listener.onMessage(message);
            }
        } catch (IOException e) {
            if (!closing.get()) {
                log.debug("server '{}': stdout read failed: {}", server, e.toString());
            }
        } catch (RuntimeException e) {
            log.error("server '{}': message handling failed; closing the session", server, e);
            reportClosed(new TransportException("message handling failed: " + e, e));
            return;
        }
        Process p = process;
        // stdout closed: the process exited or is about to; report it with the exit code when we can.
        if (!closing.get() && p != null) {
            try {
                if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
                    onProcessExit(p);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reportClosed(new TransportException("the process closed its stdout" + stderrTail()));
        }
    }

    private void readStderr(InputStream in) {
        LineReader reader = new LineReader(in, MAX_STDERR_LINE);
        try (in) {
            while (true) {
                int length = reader.next();
                if (length < 0 && length != LineReader.TOO_LONG) {
                    return;
                }
                int n = length == LineReader.TOO_LONG ? MAX_STDERR_LINE : length;
                if (n == 0) {
                    continue;
                }
                String line = new String(reader.buffer(), 0, n, StandardCharsets.UTF_8);
                keepInTail(line);
                stderrLog.log("{}", line);
            }
        } catch (IOException e) {
            // the process is gone; nothing more to log
        } finally {
            stderrEnded.complete(null);
        }
    }

    /** Keeps the line cut at a word, not redacted (that costs, and most tails are never read): see {@link #stderrTail}. */
    private void keepInTail(String line) {
        String kept = Redaction.cutAtWord(line, TAIL_KEPT_CHARS);
        tailLock.lock();
        try {
            if (stderrTail.size() == TAIL_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(kept);
        } finally {
            tailLock.unlock();
        }
    }

    /** "; its last stderr lines: ..." (redacted), or "" when it wrote none. */
    private String stderrTail() {
        List<String> lines;
        tailLock.lock();
        try {
            lines = List.copyOf(stderrTail);
        } finally {
            tailLock.unlock();
        }
        if (lines.isEmpty()) {
            return "";
        }
        List<String> shown = new ArrayList<>(lines.size());
        for (String line : lines) {
            shown.add(Redaction.shorten(line, TAIL_LINE_CHARS)); // redacted, then cut
        }
        return "; its last stderr line" + (lines.size() == 1 ? "" : "s") + ": " + String.join(" | ", shown);
    }

    private void onProcessExit(Process p) {
        if (closing.get() || closedReported.get()) {
            return;
        }
        // The stderr reader may still hold the last lines, which say why: wait for it a little, without blocking.
        stderrEnded.copy().completeOnTimeout(null, TAIL_WAIT_MILLIS, TimeUnit.MILLISECONDS).thenRun(() ->
                reportClosed(exited(p)));
    }

    private TransportException exited(Process p) {
        return new TransportException("process " + p.pid() + " exited with code " + p.exitValue() + stderrTail());
    }

    /**
     * Writing failed: most often the process has exited (a broken pipe), and its exit code and last stderr lines
     * say more than the pipe does. Waits for the exit a little, without blocking the writer thread.
     */
    private CompletableFuture<Throwable> onWriteFailed(Process p, TransportException e) {
        return p.onExit().copy().completeOnTimeout(p, TAIL_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenCompose(v -> {
                    if (p.isAlive()) {
                        TransportException failure = new TransportException("writing to the process failed: "
                                + e.getMessage(), e);
                        reportClosed(failure);
                        return CompletableFuture.completedFuture(failure);
                    }
                    return stderrEnded.copy().completeOnTimeout(null, TAIL_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                            .thenApply(x -> {
                                TransportException exit = exited(p);
                                reportClosed(exit);
                                return exit;
                            });
                });
    }

    private void reportClosed(Throwable cause) {
        if (closedReported.compareAndSet(false, true)) {
            Listener l = listener;
            if (l != null) {
                l.onClosed(cause);
            }
        }
    }

    @Override
    public String describe() {
        Process p = process;
        String command = Redaction.endpoint(config.describe()); // arguments may carry a token
        return p == null ? command : command + " [pid " + p.pid() + "]";
    }

    @Override
    public boolean isOpen() {
        Process p = process;
        return p != null && !closing.get() && p.isAlive() && !closedReported.get();
    }

    /** The child's exit code, or -1 while it runs (or before it started). */
    public int exitCode() {
        Process p = process;
        return p == null || p.isAlive() ? -1 : p.exitValue();
    }

    /** The child's pid, or -1 before it started. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** Messages nobody waited for ({@code notifications/cancelled}, answers) dropped because the server did not read. */
    public long droppedMessages() {
        MessageWriter w = writer;
        return w == null ? 0 : w.dropped();
    }

    /** Ends the process the spec's way, each step taking at most the endpoint's {@code shutdownGrace}. */
    @Override
    public void close() {
        close(config.shutdownGrace().multipliedBy(2));
    }

    /**
     * Ends the process within about {@code budget} plus half a second: close stdin and wait, SIGTERM and wait
     * (each wait at most the endpoint's {@code shutdownGrace} and what is left of the budget), then SIGKILL;
     * then the same for every other process of its tree. Never waits on a write to the process.
     */
    @Override
    public void close(Duration budget) {
        if (!closing.compareAndSet(false, true)) {
            // Someone else is shutting the process down: wait for that, so "closed" means the process is gone.
            awaitUninterruptibly(shutdownDone, budget.plus(KILL_WAIT).plus(KILL_WAIT));
            return;
        }
        try {
            shutdown(System.nanoTime() + budget.toNanos());
        } finally {
            shutdownDone.complete(null);
        }
    }

    private void shutdown(long deadline) {
        Process p = process;
        if (p == null) {
            reportClosed(null);
            return;
        }
        writer.close(); // its thread closes stdin after the write in progress, if any
        ProcessHandle leader = p.toHandle();
        Duration step = config.shutdownGrace();
        boolean exited = waitFor(leader, until(step, deadline));
        if (!exited) {
            log.debug("server '{}': pid {} still running after stdin was closed; sending SIGTERM", server, p.pid());
            p.destroy();
            exited = waitFor(leader, until(step, deadline));
        }
        if (!exited) {
            log.warn("server '{}': pid {} ignored SIGTERM; sending SIGKILL", server, p.pid());
            p.destroyForcibly();
            waitFor(leader, KILL_WAIT);
        }
        endTheRest(p.pid(), deadline);
        processes.ended(tree);
        reportClosed(null);
    }

    /** SIGTERM to what the server started and left running, SIGKILL to what is still there after a short wait. */
    private void endTheRest(long pid, long deadline) {
        ProcessTree t = tree;
        if (t.signalOthers(false) == 0) {
            return;
        }
        long until = System.nanoTime() + Math.max(until(config.shutdownGrace(), deadline).toNanos(), KILL_WAIT.toNanos());
        while (System.nanoTime() - until < 0 && !t.others().isEmpty()) {
            pause();
        }
        int killed = t.signalOthers(true);
        if (killed > 0) {
            log.warn("server '{}': {} process(es) started by pid {} ignored SIGTERM; sent SIGKILL", server, killed, pid);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20); // polling /proc on this one-off path; there is nothing to wait on for non-children
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration until(Duration step, long deadline) {
        long left = Math.max(0, deadline - System.nanoTime());
        return Duration.ofNanos(Math.min(step.toNanos(), left));
    }

    /**
     * Waits for the process to exit. Uninterruptible on purpose: an interrupt (an executor shutting down)
     * must not turn the spec's gentle shutdown into an immediate SIGKILL. The interrupt is kept.
     */
    private static boolean waitFor(ProcessHandle handle, Duration timeout) {
        awaitUninterruptibly(handle.onExit(), timeout);
        return !handle.isAlive();
    }

    private static void awaitUninterruptibly(CompletableFuture<?> future, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    future.get(left, TimeUnit.NANOSECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (TimeoutException | ExecutionException e) {
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "stdio " + describe() + (config.cwd().map(d -> " (cwd " + d + File.separator + ")").orElse(""));
    }
}
