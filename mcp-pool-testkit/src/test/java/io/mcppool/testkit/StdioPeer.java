package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A deliberately raw stdio client for tests: spawns the server, writes lines, reads lines. No
 * protocol code of the project is involved, so the tests check the bytes on the wire.
 */
final class StdioPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final Process process;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private volatile boolean stdoutEnded;
    /** Messages read while waiting for something else, in arrival order. */
    final List<JsonNode> seen = new ArrayList<>();

    StdioPeer(String... args) throws IOException {
        process = new ProcessBuilder(TestkitCommand.stdio(args)).start();
        stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true));
        Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false));
    }

    private void pump(BufferedReader reader, boolean out) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (out) {
                    lines.add(line);
                } else {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // process ended
        }
        if (out) {
            stdoutEnded = true;
        }
    }

    /** Whether the server's stdout has reached its end (every process holding it has closed it). */
    boolean stdoutEnded() {
        return stdoutEnded;
    }

    String stderr() {
        return stderr.toString();
    }

    void sendLine(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    void send(JsonNode message) throws IOException {
        sendLine(Json.write(message));
    }

    void request(long id, String method, JsonNode params) throws IOException {
        send(Wire.request(id, method, params));
    }

    void notify(String method, JsonNode params) throws IOException {
        send(Wire.notification(method, params));
    }

    /** The next raw line, or null after the timeout. */
    String nextLine(Duration timeout) throws InterruptedException {
        return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads until a message matches; everything read on the way is kept in {@link #seen}. */
    JsonNode await(Predicate<JsonNode> match, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no matching message within " + timeout + "; seen " + seen
                        + "; stderr: " + stderr);
            }
            JsonNode node = Json.mapper().readTree(line);
            seen.add(node);
            if (match.test(node)) {
                return node;
            }
        }
    }

    JsonNode response(long id) throws Exception {
        return await(m -> m.has("id") && m.get("id").asLong() == id && !m.has("method"), WAIT);
    }

    /** Sends a request and returns its response. */
    JsonNode call(long id, String method, JsonNode params) throws Exception {
        request(id, method, params);
        return response(id);
    }

    JsonNode callTool(long id, String tool, ObjectNode args) throws Exception {
        return call(id, "tools/call", Wire.toolCall(tool, args));
    }

    /** initialize + notifications/initialized; returns the initialize result. */
    JsonNode initialize() throws Exception {
        JsonNode result = call(0, "initialize", Wire.initializeParams("2025-11-25")).get("result");
        notify("notifications/initialized", null);
        return result;
    }

    /** Closes stdin and nothing else. */
    void endStdin() throws IOException {
        stdin.close();
    }

    /** Closes stdin and returns the exit code (the server must exit on EOF). */
    int closeStdin() throws Exception {
        stdin.close();
        if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("server did not exit after stdin closed");
        }
        return process.exitValue();
    }

    /** Ends the process the way a client should: stdin first, then SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
