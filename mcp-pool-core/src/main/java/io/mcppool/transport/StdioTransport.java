package io.mcppool.transport;

import io.mcppool.config.EndpointConfig;
import io.mcppool.logging.Redaction;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.MalformedMessageException;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server run as a child process: newline-delimited JSON-RPC on stdin/stdout, logging on stderr.
 *
 * <p>Two daemon threads per process read stdout and stderr. A line longer than the maximum message
 * size ends the session (the reader stops buffering at the limit, so a runaway server cannot eat
 * memory); a line that is not JSON is logged and skipped. The process's exit is seen at once (EOF on
 * stdout and {@link Process#onExit()}) and fails the session. Shutdown is the spec's: close stdin,
 * wait, SIGTERM, wait, SIGKILL; descendants (a {@code sh -c} or {@code npx} wrapper's children) get
 * the same, so no process outlives the session.
 */
public final class StdioTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(StdioTransport.class);
    private static final CompletableFuture<Void> SENT = CompletableFuture.completedFuture(null);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    /** stderr lines longer than this are cut in the log; the server is never blocked on its stderr. */
    private static final int MAX_STDERR_LINE = 8192;
    private static final long READER_STACK_BYTES = 256 * 1024;

    private final String server;
    private final EndpointConfig.Stdio config;
    private final int maxMessageBytes;
    private final Logger serverLog;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean closedReported = new AtomicBoolean();
    private final CompletableFuture<Void> shutdownDone = new CompletableFuture<>();

    private volatile Process process;
    private volatile OutputStream stdin;
    private volatile Listener listener;

    public StdioTransport(String server, EndpointConfig.Stdio config, int maxMessageBytes) {
        this.server = server;
        this.config = config;
        this.maxMessageBytes = maxMessageBytes;
        this.serverLog = LoggerFactory.getLogger("mcp.server." + server + ".stderr");
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        List<String> command = new ArrayList<>(config.args().size() + 1);
        command.add(config.command());
        command.addAll(config.args());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(config.env());
        config.cwd().ifPresent(dir -> builder.directory(dir.toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw new TransportException("cannot start '" + describe() + "'"
                    + config.cwd().map(d -> " in " + d).orElse("") + ": " + e.getMessage(), e, true);
        }
        process = p;
        stdin = new BufferedOutputStream(p.getOutputStream(), 64 * 1024);
        int n = SEQUENCE.incrementAndGet();
        startDaemon("mcp-pool-stdout-" + server + "-" + n, () -> readStdout(p.getInputStream()));
        startDaemon("mcp-pool-stderr-" + server + "-" + n, () -> readStderr(p.getErrorStream()));
        p.onExit().thenAccept(this::onProcessExit);
        log.debug("server '{}': started pid {}: {}", server, p.pid(), describe());
    }

    private static void startDaemon(String name, Runnable body) {
        Thread t = new Thread(null, body, name, READER_STACK_BYTES);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public CompletableFuture<Void> send(JsonRpcMessage message) {
        byte[] bytes = JsonRpcCodec.encode(message);
        OutputStream out = stdin;
        if (out == null || closing.get()) {
            return CompletableFuture.failedFuture(new TransportException("stdin of '" + describe() + "' is closed"));
        }
        writeLock.lock();
        try {
            out.write(bytes);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new TransportException("writing to the process failed: " + e.getMessage(), e));
        } finally {
            writeLock.unlock();
        }
        return SENT;
    }

    private void readStdout(InputStream in) {
        LineReader reader = new LineReader(in, maxMessageBytes);
        try {
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
                    log.warn("server '{}' wrote a line to stdout that is not a JSON-RPC message ({}); skipped: {}", server,
                            e.getMessage(), preview(reader.buffer(), length));
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
            reportClosed(new TransportException("the process closed its stdout"));
        }
    }

    private static String preview(byte[] buffer, int length) {
        String s = new String(buffer, 0, Math.min(length, 200), StandardCharsets.UTF_8);
        return length > 200 ? s + "..." : s;
    }

    private void readStderr(InputStream in) {
        LineReader reader = new LineReader(in, MAX_STDERR_LINE);
        try {
            while (true) {
                int length = reader.next();
                if (length == LineReader.TOO_LONG) {
                    serverLog.info("{}...", new String(reader.buffer(), 0, MAX_STDERR_LINE, StandardCharsets.UTF_8));
                    continue;
                }
                if (length < 0) {
                    return;
                }
                if (length > 0 && serverLog.isInfoEnabled()) {
                    serverLog.info("{}", new String(reader.buffer(), 0, length, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            // the process is gone; nothing more to log
        }
    }

    private void onProcessExit(Process p) {
        if (closing.get()) {
            return;
        }
        reportClosed(new TransportException("process " + p.pid() + " exited with code " + p.exitValue()));
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

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            // Someone else is shutting the process down: wait for that, so "closed" means the process is gone.
            awaitUninterruptibly(shutdownDone, config.shutdownGrace().multipliedBy(3).plusSeconds(1));
            return;
        }
        try {
            shutdown();
        } finally {
            shutdownDone.complete(null);
        }
    }

    private void shutdown() {
        Process p = process;
        if (p == null) {
            reportClosed(null);
            return;
        }
        List<ProcessHandle> descendants = p.descendants().toList();
        writeLock.lock();
        try {
            stdin.close();
        } catch (IOException e) {
            // already closed by the process exiting
        } finally {
            writeLock.unlock();
        }
        Duration grace = config.shutdownGrace();
        boolean exited = waitFor(p.toHandle(), grace);
        if (!exited) {
            log.debug("server '{}': pid {} still running {} after stdin closed; sending SIGTERM", server, p.pid(), grace);
            p.destroy();
            exited = waitFor(p.toHandle(), grace);
        }
        if (!exited) {
            log.warn("server '{}': pid {} ignored SIGTERM for {}; sending SIGKILL", server, p.pid(), grace);
            p.destroyForcibly();
            waitFor(p.toHandle(), grace);
        }
        for (ProcessHandle child : descendants) {
            if (child.isAlive()) {
                child.destroy();
                if (!waitFor(child, grace)) {
                    child.destroyForcibly();
                }
            }
        }
        reportClosed(null);
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
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
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
