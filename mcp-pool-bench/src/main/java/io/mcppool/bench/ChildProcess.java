package io.mcppool.bench;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process a scenario starts (a gateway under test, a driver JVM): stdin from {@code /dev/null}, stdout and
 * stderr to a log file (read for its ready line, and shown when it fails). {@link #close()} stops it and
 * everything it started: SIGTERM so that it can stop its upstreams itself, then SIGKILL for whatever is left of
 * the process tree as it was just before (a child that moved to its own process group, as supergateway's do,
 * is still in that list), and of every descendant {@link #awaitExit} saw (which an exited process no longer
 * lists). Idempotent, so a shutdown hook may call it again.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final String name;
    private final Process process;
    private final Path log;
    /** Descendants seen while waiting for the process to end: orphans of an exit are killed by close too. */
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ChildProcess start(String name, List<String> command, Path log) {
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
    public static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /**
     * Waits up to {@code timeout} for the process to end, noting its descendants as it goes (an exited process's
     * children are no longer its descendants, and {@link #close} still ends them). True when it ended.
     */
    public boolean awaitExit(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive()) {
            process.toHandle().descendants().forEach(seen::add);
            if (System.nanoTime() - deadline > 0) {
                return !process.isAlive(); // asked again: this thread may have been descheduled past the deadline
            }
            try {
                process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The exit code; the process must have ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** Descendants seen by {@link #awaitExit} that are still running (orphans once the process ended). */
    public List<ProcessHandle> orphans() {
        return seen.stream().filter(ProcessHandle::isAlive).filter(h -> !isDescendant(h)).toList();
    }

    private boolean isDescendant(ProcessHandle h) {
        return process.isAlive() && process.toHandle().descendants().anyMatch(h::equals);
    }

    /** Waits until 127.0.0.1:{@code port} accepts a connection; fails at once if the process ends. */
    public void awaitPort(int port, Duration timeout) {
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
    public String awaitLogLine(Pattern pattern, Duration timeout) {
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

    public IllegalStateException failure(String what) {
        return new IllegalStateException(name + " " + what + "; the end of its log (" + log + "):\n" + tail(2000));
    }

    public String tail(int chars) {
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
    public long treeCpuNanos() {
        ProcessHandle h = process.toHandle();
        long sum = cpu(h);
        for (ProcessHandle d : (Iterable<ProcessHandle>) h.descendants()::iterator) {
            sum += cpu(d);
        }
        return sum;
    }

    public static long cpu(ProcessHandle h) {
        return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** SIGTERM, up to {@code grace} for the process to stop its children and end, then SIGKILL for what is left. */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        ProcessHandle h = process.toHandle();
        Set<ProcessHandle> tree = new LinkedHashSet<>(h.descendants().toList());
        tree.addAll(seen);
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("[" + name + "] did not end within " + BenchText.human(grace)
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
                System.err.println("[" + name + "] child process " + d.pid() + " outlived it; killing it");
                d.destroyForcibly();
            }
        }
    }

    /**
     * Waits up to 5 s for every process this JVM started (and theirs) to end, then kills any still running, each
     * reported as still running {@code after} (e.g. "after every gateway was stopped"). Returns how many there were.
     */
    public static int killLeftovers(String after) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<ProcessHandle> alive;
        while (!(alive = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty()
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ProcessHandle h : alive) {
            System.err.println("WARNING: process " + h.pid() + " is still running " + after + ": "
                    + BenchText.abbreviate(h.info().commandLine().orElse("?"), 200) + "; killing it");
            h.destroyForcibly();
        }
        return alive.size();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
