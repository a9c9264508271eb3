package io.mcppool.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcNotification;
import io.mcppool.protocol.JsonRpcRequest;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.RequestId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves one session over stdin/stdout: newline-delimited JSON in, one message per line out.
 * Answers come from many threads (each slow tool call has its own), so every write of a whole
 * line happens under one lock and is flushed at once: two answers can never interleave, and a
 * client never waits for an answer sitting in a buffer.
 *
 * <p>The stdio-only options that make the server misbehave on purpose live here: {@code --sequential}
 * (with {@link ServerSession}, which then runs every call on this reading thread), {@code --stop-reading-after},
 * {@code --flood-notifications} and {@code --fork-on-start}.
 */
final class StdioRunner implements ServerTransport {
    private static final byte[] NEWLINE = {'\n'};

    private final TestServer server;
    private final TestkitOptions options;
    private final InputStream in;
    private final OutputStream out;
    private final ReentrantLock writeLock;
    private int messagesRead;
    private boolean flooding;

    StdioRunner(TestServer server, InputStream in, OutputStream out) {
        this.server = server;
        this.options = server.options();
        this.in = in;
        this.out = out;
        // A flood writes as fast as stdout takes it: a fair lock lets the answers of the calls in between through.
        this.writeLock = new ReentrantLock(options.floodNotifications() > 0);
    }

    /**
     * Reads until stdin ends; returns then (the caller exits). With {@code --stop-reading-after} it never
     * returns once it stopped reading: the process runs on until it is killed.
     */
    void run() throws IOException {
        if (options.forkOnStart()) {
            forkOrphan();
        }
        ServerSession session = server.openSession("stdio", this);
        byte[] buf = new byte[64 * 1024];
        int start = 0;
        int end = 0;
        while (true) {
            int newline = indexOf(buf, start, end, (byte) '\n');
            if (newline >= 0) {
                handleLine(session, buf, start, newline);
                start = newline + 1;
                if (options.stopReadingAfter() > 0 && messagesRead >= options.stopReadingAfter()) {
                    stopReading();
                }
                continue;
            }
            // no whole line buffered: move the partial one to the front, grow if it fills the buffer
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                if (end > start) {
                    handleLine(session, buf, start, end); // a last line without its newline
                }
                session.close();
                return;
            }
            end += n;
        }
    }

    private void handleLine(ServerSession session, byte[] buf, int from, int to) {
        if (to > from && buf[to - 1] == '\r') {
            to--;
        }
        if (isBlank(buf, from, to)) {
            return;
        }
        messagesRead++;
        JsonRpcMessage message;
        try {
            message = JsonRpcCodec.decode(buf, from, to - from);
        } catch (MalformedMessageException e) {
            // JSON-RPC: unreadable JSON is a parse error, readable JSON of the wrong shape an invalid
            // request; either way the id cannot be trusted, so the answer carries none
            int code = e.getCause() instanceof JsonProcessingException
                    ? JsonRpcError.PARSE_ERROR : JsonRpcError.INVALID_REQUEST;
            send(JsonRpcResponse.failure(null, JsonRpcError.of(code,
                    (code == JsonRpcError.PARSE_ERROR ? "Parse error: " : "Invalid Request: ") + e.getMessage())), null);
            return;
        }
        if (options.forkOnStart() && message instanceof JsonRpcRequest r && McpMethods.TOOLS_CALL.equals(r.method())) {
            System.err.println("testkit: fork-on-start: exiting at the first tools/call; the orphan keeps stdout open");
            Runtime.getRuntime().halt(0);
        }
        if (options.floodNotifications() > 0 && !flooding && message instanceof JsonRpcNotification n
                && McpMethods.INITIALIZED.equals(n.method())) {
            flooding = true;
            startFlood();
        }
        session.receive(message);
    }

    /** {@code --stop-reading-after}: stdin is never read again, so not even its end is seen; SIGTERM ends the process. */
    private void stopReading() {
        System.err.println("testkit: stopped reading stdin after " + messagesRead + " messages");
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(0); // only an interrupt gets here, and nothing is meant to follow
    }

    /** {@code --flood-notifications}: one message built once, written as fast as stdout takes it. */
    private void startFlood() {
        ObjectNode params = Json.object();
        params.put("level", "warning");
        params.put("logger", "mcp-pool-testkit-flood");
        StringBuilder data = new StringBuilder(options.floodBytes()).append("flood ");
        while (data.length() < options.floodBytes()) {
            data.append('x');
        }
        params.put("data", data.toString());
        byte[] line = JsonRpcCodec.encode(new JsonRpcNotification(McpMethods.MESSAGE, params));
        int count = options.floodNotifications();
        Thread flood = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                writeLines(line, 1); // one message per lock hold: answers get their turn between two
            }
            System.err.println("testkit: flood of " + count + " notifications written");
        }, "testkit-flood");
        flood.setDaemon(true);
        flood.start();
    }

    /** {@code --fork-on-start}: a child that shares stdin, stdout and stderr and outlives this process. */
    private void forkOrphan() throws IOException {
        Process child = new ProcessBuilder(TestkitOrphans.command(options.label())).inheritIO().start();
        System.err.println("testkit: fork-on-start: left pid " + child.pid() + " holding stdin, stdout and stderr");
    }

    @Override
    public void send(JsonRpcMessage message, RequestId relatedRequest) {
        byte[] bytes = JsonRpcCodec.encode(message); // outside the lock: encoding needs no ordering
        writeLines(bytes, 1);
    }

    @Override
    public void writeGarbage(int lines) {
        writeLines("this line is not JSON: mcp-pool-testkit garbage output".getBytes(StandardCharsets.UTF_8), lines);
    }

    private void writeLines(byte[] line, int times) {
        writeLock.lock();
        try {
            for (int i = 0; i < times; i++) {
                out.write(line);
                out.write(NEWLINE);
            }
            out.flush();
        } catch (IOException e) {
            // stdout is gone, so the client is: nothing this process does can reach anyone any more
            System.err.println("testkit: stdout closed (" + e.getMessage() + "), exiting");
            Runtime.getRuntime().halt(0);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void crash(int exitCode) {
        System.err.println("testkit: crash requested, exiting with " + exitCode);
        // halt, not exit: no shutdown hooks, no flushing, no answer - as close to a crash as Java gets
        Runtime.getRuntime().halt(exitCode);
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isBlank(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] != ' ' && buf[i] != '\t') {
                return false;
            }
        }
        return true;
    }
}
