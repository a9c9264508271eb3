package io.mcppool.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.JsonRpcResponse;
import io.mcppool.protocol.MalformedMessageException;
import io.mcppool.protocol.RequestId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves one session over stdin/stdout: newline-delimited JSON in, one message per line out.
 * Answers come from many threads (each slow tool call has its own), so every write of a whole
 * line happens under one lock and is flushed at once: two answers can never interleave, and a
 * client never waits for an answer sitting in a buffer.
 */
final class StdioRunner implements ServerTransport {
    private static final byte[] NEWLINE = {'\n'};

    private final TestServer server;
    private final InputStream in;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();

    StdioRunner(TestServer server, InputStream in, OutputStream out) {
        this.server = server;
        this.in = in;
        this.out = out;
    }

    /** Reads until stdin ends; returns then (the caller exits). */
    void run() throws IOException {
        ServerSession session = server.openSession("stdio", this);
        byte[] buf = new byte[64 * 1024];
        int start = 0;
        int end = 0;
        while (true) {
            int newline = indexOf(buf, start, end, (byte) '\n');
            if (newline >= 0) {
                handleLine(session, buf, start, newline);
                start = newline + 1;
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
        session.receive(message);
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
