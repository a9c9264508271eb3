package io.mcppool.bench.gateway;

import io.mcppool.bench.BenchText;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway under test started as a process of its own: stdin from {@code /dev/null}, stdout and stderr to a
 * log file (read for its ready line, and shown when it fails). {@link #close()} stops it and everything it
 * started: SIGTERM so that it can stop its upstreams itself, then SIGKILL for whatever is left of the
 * process tree as it was just before (a child that moved to its own process group, as supergateway's do,
 * is still in that list). Idempotent, so a shutdown hook may call it again.
 */
final class ChildProcess implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final String name;
    private final Process process;
    private final Path log;
    private volatile boolean closed;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Path log) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        try {
            return new ChildProcess(name, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + e.getMessage(), e);
        }
    }

    /** A TCP port that was free on 127.0.0.1 a moment ago, for a process that cannot pick its own. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Waits until 127.0.0.1:{@code port} accepts a connection; fails at once if the process ends. */
    void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                checkAlive();
                if (System.nanoTime() - deadline > 0) {
                    throw failure("not listening on 127.0.0.1:" + port + " after " + BenchText.human(timeout));
                }
                pause();
            }
        }
    }

    /** Waits for a line of the log that matches {@code pattern} and returns its first group. */
    String awaitLogLine(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(logText());
            if (m.find()) {
                return m.group(1);
            }
            checkAlive();
            if (System.nanoTime() - deadline > 0) {
                throw failure("no line matching /" + pattern + "/ after " + BenchText.human(timeout));
            }
            pause();
        }
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw failure("ended with exit code " + process.exitValue());
        }
    }

    IllegalStateException failure(String what) {
        return new IllegalStateException(name + " " + what + "; the end of its log (" + log + "):\n" + tail(2000));
    }

    String tail(int chars) {
        String text = logText();
        return text.length() <= chars ? text : "..." + text.substring(text.length() - chars);
    }

    private String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis()); // polling a process we do not control; every caller bounds the wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** CPU time of the process and all its descendants so far, in nanoseconds. */
    long treeCpuNanos() {
        ProcessHandle h = process.toHandle();
        long sum = cpu(h);
        for (ProcessHandle d : (Iterable<ProcessHandle>) h.descendants()::iterator) {
            sum += cpu(d);
        }
        return sum;
    }

    static long cpu(ProcessHandle h) {
        return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** SIGTERM, up to {@code grace} for the process to stop its children and end, then SIGKILL for what is left. */
    void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        ProcessHandle h = process.toHandle();
        List<ProcessHandle> tree = h.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("[gateway] " + name + " did not end within " + BenchText.human(grace)
                        + " of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle d : tree) {
            // the ones it was stopping itself get a moment more; then whatever is left is killed
            while (d.isAlive() && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (d.isAlive()) {
                System.err.println("[gateway] " + name + ": child process " + d.pid() + " outlived it; killing it");
                d.destroyForcibly();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
