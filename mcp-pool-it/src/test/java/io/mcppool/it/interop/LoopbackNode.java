package io.mcppool.it.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Node HTTP server process (server-everything's {@code streamableHttp}) kept on 127.0.0.1.
 *
 * <p>The reference server listens on all interfaces and has no host option, so the process gets
 * {@code NODE_OPTIONS=--require loopback-guard.cjs} (copied to a temp folder): it rebinds a listen
 * on a bare port or a wildcard host to 127.0.0.1 and prints the address it really bound, which
 * {@link #start} checks. The port comes from {@code PORT}. Output goes to one log file per process
 * incarnation (never a pipe nobody drains). {@link #restart()} ends the process and starts a new one
 * on the same port: everything the old one held in memory (its sessions) is gone, as after a real
 * server restart. {@link #close()} ends the process and its descendants (SIGTERM, then SIGKILL).
 */
final class LoopbackNode implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final String GUARD_RESOURCE = "/interop/loopback-guard.cjs";
    private static final String GUARD_LINE = "loopback-guard: listening on ";

    private final List<String> command;
    private final Map<String, String> env;
    private final Path workDir;
    private final Path guard;
    private final int port;
    private final List<Path> logs = new ArrayList<>();
    private Process process;

    private LoopbackNode(List<String> command, Map<String, String> env, int port) throws IOException {
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.port = port;
        this.workDir = Files.createTempDirectory("mcppool-interop-node-");
        this.guard = workDir.resolve("loopback-guard.cjs");
        try (InputStream in = LoopbackNode.class.getResourceAsStream(GUARD_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + GUARD_RESOURCE + " is missing from the class path");
            }
            Files.copy(in, guard);
        }
    }

    /**
     * Starts {@code node <args...>} with {@code PORT=<a free loopback port>} plus {@code env}, and
     * waits (bounded) until it listens on 127.0.0.1. Fails the test if it does not.
     */
    static LoopbackNode start(List<String> nodeArgs, Map<String, String> env) {
        List<String> cmd = new ArrayList<>();
        cmd.add(NpmPeers.node());
        cmd.addAll(nodeArgs);
        LoopbackNode node;
        try {
            node = new LoopbackNode(cmd, env, freeLoopbackPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            node.launch();
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** server-everything's Streamable HTTP transport on a loopback port. */
    static LoopbackNode everythingHttp() {
        return start(List.of(NpmPeers.script(NpmPeers.EVERYTHING).toString(), "streamableHttp"), Map.of());
    }

    int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** What the current process incarnation has written so far (stdout and stderr). */
    String log() {
        return read(logs.get(logs.size() - 1));
    }

    /** What every incarnation wrote, oldest first. */
    List<String> allLogs() {
        return logs.stream().map(LoopbackNode::read).toList();
    }

    /** Ends the process and starts a new one on the same port; returns when it listens again. */
    void restart() {
        stopProcess();
        launch();
    }

    @Override
    public void close() {
        try {
            stopProcess();
        } finally {
            deleteWorkDir();
        }
    }

    private void deleteWorkDir() {
        try (var files = Files.walk(workDir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // a leftover temp file is not worth failing a test for
        }
    }

    private void launch() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Path log = workDir.resolve("node-" + (logs.size() + 1) + ".log");
            logs.add(log);
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.directory(workDir.toFile());
            Map<String, String> environment = pb.environment();
            environment.putAll(env);
            environment.put("PORT", Integer.toString(port));
            String existing = environment.get("NODE_OPTIONS");
            environment.put("NODE_OPTIONS", "--require \"" + guard + "\"" + (existing == null ? "" : " " + existing));
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            try {
                process = pb.start();
                process.getOutputStream().close(); // the server reads no stdin
            } catch (IOException e) {
                fail("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
            }
            if (awaitListening(deadline)) {
                return;
            }
            // The process exited before listening. A port released a moment ago can still be busy
            // (another process grabbed it, or the old socket lingers): try again until the deadline.
            String text = read(log);
            if (!text.contains("EADDRINUSE") && !text.contains("already in use") || System.nanoTime() > deadline) {
                fail("node exited with code " + process.exitValue() + " before listening on 127.0.0.1:" + port
                        + "; its output:\n" + text);
            }
        }
    }

    /** True once the guard reported a loopback listen and the port accepts; false if the process died. */
    private boolean awaitListening(long deadline) {
        Path log = logs.get(logs.size() - 1);
        while (true) {
            if (!process.isAlive()) {
                return false;
            }
            String text = read(log);
            int at = text.indexOf(GUARD_LINE);
            if (at >= 0) {
                String bound = text.substring(at + GUARD_LINE.length()).lines().findFirst().orElse("").trim();
                if (!bound.equals("127.0.0.1:" + port)) {
                    fail("the Node server listens on " + bound + ", not on 127.0.0.1:" + port
                            + " (the loopback guard did not apply); its output:\n" + text);
                }
                if (accepts(InetAddress.getLoopbackAddress())) {
                    return true;
                }
            }
            if (System.nanoTime() > deadline) {
                fail("node did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT + "; its output:\n" + text);
            }
            try {
                Thread.sleep(50); // polling, bounded by the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for node to listen");
            }
        }
    }

    /** Whether something accepts a TCP connection on {@code address}:port (200 ms connect timeout). */
    boolean accepts(InetAddress address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A non-loopback IPv4 address of this machine, if it has one (to check the server is not reachable there). */
    static Optional<InetAddress> nonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return Optional.of(a);
                    }
                }
            }
        } catch (SocketException e) {
            // no interfaces to look at
        }
        return Optional.empty();
    }

    private void stopProcess() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> descendants = p.descendants().toList();
        stop(p.toHandle());
        for (ProcessHandle child : descendants) {
            stop(child);
        }
        if (p.isAlive()) {
            fail("node pid " + p.pid() + " survived SIGKILL");
        }
    }

    private static void stop(ProcessHandle h) {
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        if (!waitFor(h, STOP_GRACE)) {
            h.destroyForcibly();
            waitFor(h, STOP_GRACE);
        }
    }

    private static boolean waitFor(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            // bytes, not readString: a read can end inside a multi-byte character the process is still writing
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
