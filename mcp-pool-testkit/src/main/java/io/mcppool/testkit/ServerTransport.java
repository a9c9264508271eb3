package io.mcppool.testkit;

import io.mcppool.protocol.JsonRpcMessage;
import io.mcppool.protocol.RequestId;

/**
 * The runner's side of one session: how the transport-agnostic {@link ServerSession} gets its
 * messages out, and what "crash" and "garbage" mean for this kind of transport.
 */
interface ServerTransport {

    /**
     * Sends one message. {@code relatedRequest} is the client request that caused it (the request a
     * response answers, or the call that sends progress), or null for a message that belongs to no
     * request. Only HTTP cares: it decides which stream the message travels on. Must not block long
     * and must be safe to call from many threads.
     */
    void send(JsonRpcMessage message, RequestId relatedRequest);

    /** The request will never be answered (it was cancelled): HTTP ends its stream. */
    default void abandon(RequestId request) {
    }

    /** Writes non-JSON lines where the client reads messages; only stdio has such a place. */
    default void writeGarbage(int lines) {
    }

    /** The {@code crash} tool: end abruptly, without answering. */
    void crash(int exitCode);
}
