package io.mcppool.transport;

import io.mcppool.protocol.JsonRpcMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Moves JSON-RPC messages between one client session and one server: bytes in, messages out.
 * A transport knows nothing of request ids or pending calls; the session above it does.
 *
 * <p>Lifecycle: {@link #start(Listener)} once, then {@link #send} from any thread, concurrently,
 * then {@link #close()}. After the transport fails or closes, it reports {@link Listener#onClosed}
 * exactly once and every later {@code send} fails.
 */
public interface Transport extends AutoCloseable {

    /** Receives what the server sends. Called from the transport's reader thread(s); must not block long. */
    interface Listener {
        void onMessage(JsonRpcMessage message);

        /** The transport ended: {@code cause} is null for a close we asked for. Called once. */
        void onClosed(Throwable cause);
    }

    /** Opens the channel (spawns the process, for stdio). Throws {@link TransportException} when that fails. */
    void start(Listener listener);

    /**
     * Sends one message the sender waits for (a request). Never blocks: the message is queued and the future
     * completes when it has been handed to the server (written to the pipe, or accepted by the HTTP server);
     * replies arrive through the listener. It fails with {@link SessionExpiredException} when an HTTP server
     * says the session is gone, and with {@link TransportException} when the message may not have been
     * delivered.
     *
     * <p>Cancelling the future withdraws the message if it has not started on its way: {@code cancel} then
     * returns true and the server never sees it. Once it is being written it returns false (the server may
     * have it); a transport may still abort the exchange then (HTTP closes the response), so what the
     * server sends later for it is lost.
     */
    CompletableFuture<Void> send(JsonRpcMessage message);

    /**
     * Sends a message nobody waits for (a notification such as {@code notifications/cancelled}, or an
     * answer to the server's own request). Never blocks: the message is queued when there is room and
     * dropped when the transport's outbound queue is full or the transport is closed (then false). A peer
     * that stops reading loses such messages, never the caller's thread.
     */
    default boolean trySend(JsonRpcMessage message) {
        CompletableFuture<Void> sent = send(message);
        return !sent.isCompletedExceptionally();
    }

    /**
     * Called by the session once the handshake is done, with the negotiated protocol version, so
     * transports that must repeat it (the {@code MCP-Protocol-Version} header) can.
     */
    default void protocolVersionNegotiated(String version) {
    }

    /** A short description for logs and errors: the command, or the URL. */
    String describe();

    /** Whether the transport is still usable. */
    boolean isOpen();

    /**
     * Ends the channel the way its spec says (stdio: close stdin, SIGTERM, SIGKILL; HTTP: DELETE the
     * session). Idempotent; blocks at most the transport's shutdown grace.
     */
    @Override
    void close();

    /**
     * As {@link #close()}, taking about {@code budget} at most (the pool's close has a grace period to keep).
     * Transports whose close is quick anyway need not override it.
     */
    default void close(java.time.Duration budget) {
        close();
    }
}
