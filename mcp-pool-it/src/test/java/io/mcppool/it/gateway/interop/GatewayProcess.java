package io.mcppool.it.gateway.interop;

import static org.junit.jupiter.api.Assertions.fail;

import io.mcppool.testkit.TestkitCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar mcp-pool.jar serve --port 0 ...} as a child process: the gateway exactly as a user starts
 * it. Port 0 picks a free port, which the process prints on stdout ({@code mcp-pool gateway: http://...});
 * stderr (its log) goes to a file for failure messages. {@link #close} stops it with SIGTERM, as an
 * operator would, and waits (bounded) for it and everything it started to be gone. Public for the saturation suite.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("^mcp-pool gateway: (http://\\S+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path stderr;
    private final URI mcpUri;
    private final List<String> stdout;

    /**
     * The words that start the gateway with SIGHUP at its default disposition. A build started under {@code nohup}
     * (or by anything that ignores SIGHUP) passes the ignored signal on to its children, and a JVM started with SIGHUP
     * ignored cannot handle it: the tests that reload on SIGHUP would then see no reload.
     */
    private static final List<String> HUP_AT_DEFAULT = hupAtDefault();

    private static List<String> hupAtDefault() {
        List<String> env = List.of("/usr/bin/env", "--default-signal=HUP");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(env.get(0), env.get(1), "true")))
                    .redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? env : List.of();
        } catch (IOException e) {
            return List.of(); // no such env: the signal stays as it is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private GatewayProcess(Process process, Path stderr, URI mcpUri, List<String> stdout) {
        this.process = process;
        this.stderr = stderr;
        this.mcpUri = mcpUri;
        this.stdout = stdout;
    }

    /**
     * Starts {@code serve --port 0} plus {@code extraArgs}, with {@code env} replacing the whole environment
     * (so a test decides exactly what is on PATH), and waits until it prints its URL.
     */
    public static GatewayProcess serve(Path workDir, Map<String, String> env, String... extraArgs) {
        return serve(workDir, env, List.of(), extraArgs);
    }

    /**
     * {@link #serve(Path, Map, String...)} through a {@code launcher}, the words before {@code java} on the command
     * line: {@code sh -c 'ulimit -n 256 && exec "$0" "$@"'} starts the gateway with fewer file descriptors. The
     * launcher must exec the command, so that the process stopped is the gateway itself.
     */
    public static GatewayProcess serve(Path workDir, Map<String, String> env, List<String> launcher,
                                       String... extraArgs) {
        List<String> cmd = new ArrayList<>(HUP_AT_DEFAULT);
        cmd.addAll(launcher);
        cmd.addAll(List.of(TestkitCommand.javaExecutable(), "-jar", jar().toString(), "serve", "--port", "0"));
        cmd.addAll(List.of(extraArgs));
        try {
            Path err = Files.createTempFile(workDir, "gateway-stderr", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<URI> ready = new CompletableFuture<>();
            List<String> lines = new CopyOnWriteArrayList<>();
            // Drains stdout for the life of the process, so it never blocks on a full pipe. A platform thread: a
            // virtual one blocked reading a pipe holds its carrier, and two live gateways took both carriers of a
            // 2-core machine, so that a third gateway's reader never ran.
            Thread.ofPlatform().daemon().name("gateway-stdout").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                        Matcher m = READY.matcher(line);
                        if (m.find()) {
                            ready.complete(URI.create(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(e);
                }
                ready.completeExceptionally(new IllegalStateException("stdout ended before the gateway printed its URL"));
            });
            URI uri;
            try {
                uri = ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Exec.destroyTree(p.toHandle());
                p.waitFor(10, TimeUnit.SECONDS);
                return fail("the gateway did not print its URL within " + START_TIMEOUT + " (" + e + "): " + String.join(" ", cmd)
                        + "\nexit: " + (p.isAlive() ? "still running" : p.exitValue()) + "\n--- stdout\n" + lines
                        + "\n--- stderr\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new GatewayProcess(p, err, uri, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs one command of the runnable jar ({@code check-config}, {@code servers}, or a {@code serve} expected to
     * refuse its config) to its end within {@code timeout}, with {@code env} as its whole environment.
     */
    public static Exec.Result run(Path workDir, Map<String, String> env, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestkitCommand.javaExecutable(), "-jar",
                Peers.gatewayJar().toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, env, workDir, timeout, true);
    }

    /** The runnable jar, {@code mcp-pool.jar}, for tests that run another command of it. */
    public static Path jar() {
        return Peers.gatewayJar();
    }

    public URI mcpUri() {
        return mcpUri;
    }

    /** The gateway's own process, for what a test reads of it under /proc. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** How many bytes it has logged to stderr so far. */
    public long stderrBytes() {
        try {
            return Files.size(stderr);
        } catch (IOException e) {
            return -1;
        }
    }

    /** What it has printed on stdout. */
    public List<String> stdout() {
        return List.copyOf(stdout);
    }

    public String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The gateway's process id (for {@code jcmd}). */
    public long pid() {
        return process.pid();
    }

    /** The process's live heap in bytes: {@code jcmd GC.class_histogram} runs a full collection, then counts. */
    public long liveHeapBytes() {
        Path jcmd = Path.of(TestkitCommand.javaExecutable()).resolveSibling("jcmd");
        try {
            Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid()), "GC.class_histogram"))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return fail("jcmd GC.class_histogram did not end within 60 s");
            }
            Matcher m = HISTOGRAM_TOTAL.matcher(out);
            if (!m.find()) {
                return fail("no total in the output of jcmd: " + (out.length() > 500 ? out.substring(0, 500) : out));
            }
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The processes it has started (its testkit server, ...), as seen now. */
    public List<ProcessHandle> children() {
        return process.descendants().toList();
    }

    /**
     * SIGTERM, then waits for the gateway and the processes it had started to end; kills what is left after
     * the deadline. Returns what was still alive at the deadline ("pid: command line"), empty when all ended.
     */
    public List<String> stop() {
        List<ProcessHandle> started = process.descendants().toList();
        process.destroy();
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            for (ProcessHandle h : started) {
                long left = Math.max(0, deadline - System.nanoTime());
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported below
        }
        List<String> alive = new ArrayList<>();
        if (process.isAlive()) {
            alive.add(process.pid() + ": the gateway itself");
        }
        for (ProcessHandle h : started) {
            if (h.isAlive()) {
                alive.add(h.pid() + ": " + h.info().commandLine().orElse("?"));
            }
        }
        if (!alive.isEmpty()) {
            Exec.destroyTree(process.toHandle());
            started.forEach(ProcessHandle::destroyForcibly);
        }
        return alive;
    }

    /** The gateway's exit code after {@link #stop}. */
    public int exitCode() {
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
