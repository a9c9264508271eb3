package io.mcppool.gateway.server;

import io.mcppool.gateway.mcp.UnreadResponses;
import io.mcppool.protocol.JsonRpcCodec;
import io.mcppool.protocol.JsonRpcResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * The answer to a JSON-RPC batch, written one response at a time: each is encoded just before its write, and the
 * next waits for the client to take the one before. The array is never built whole, so a batch costs the gateway its
 * largest response in bytes being written, not the sum of them all (the responses themselves are bounded by
 * {@code gateway.maxBatchLength} and each server's limits). Each response counts among the session's unread
 * responses while it is being written, as a single response does; when the session drops it to make room for newer
 * ones, the exchange ends.
 *
 * <p>Writes are asynchronous: whichever thread completes the last answer (an upstream's reader among them) only
 * encodes and hands the first chunk to Jetty, and never blocks.
 */
final class BatchWriter extends IteratingCallback {
    private static final byte[] OPEN = {'['};
    private static final byte[] COMMA = {','};
    private static final ByteBuffer CLOSE = ByteBuffer.wrap("]".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();

    private final Response response;
    private final OnceCallback done;
    private final List<JsonRpcResponse> answers;
    private final UnreadResponses unread;
    /** The next answer to write; {@code answers.size()} once only the closing bracket is left. */
    private int next;
    private boolean closed;
    private UnreadResponses.Waiting writing;

    BatchWriter(Response response, Callback done, List<JsonRpcResponse> answers, UnreadResponses unread) {
        this.response = response;
        this.done = new OnceCallback(done);
        this.answers = answers;
        this.unread = unread;
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    }

    @Override
    protected Action process() {
        release();
        if (closed) {
            return Action.SUCCEEDED;
        }
        if (next == answers.size()) {
            closed = true;
            response.write(true, CLOSE.slice(), this);
            return Action.SCHEDULED;
        }
        JsonRpcResponse answer = answers.set(next, null); // written once, then no longer held
        byte[] encoded = JsonRpcCodec.encode(answer);
        byte[] chunk = new byte[encoded.length + 1];
        System.arraycopy(next == 0 ? OPEN : COMMA, 0, chunk, 0, 1);
        System.arraycopy(encoded, 0, chunk, 1, encoded.length);
        next++;
        writing = unread.admit(chunk.length, () -> done.failed(new IOException(
                "the response was dropped: the client has not read it and newer ones came"))).entry();
        response.write(false, ByteBuffer.wrap(chunk), this);
        return Action.SCHEDULED;
    }

    @Override
    protected void onCompleteSuccess() {
        done.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        release();
        done.failed(cause);
    }

    private void release() {
        if (writing != null) {
            unread.written(writing);
            writing = null;
        }
    }
}
