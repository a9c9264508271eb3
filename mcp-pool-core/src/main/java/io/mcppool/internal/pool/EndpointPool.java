package io.mcppool.internal.pool;

import io.mcppool.status.EndpointSnapshot;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The sessions of one endpoint, whatever the pool mode. */
public interface EndpointPool {

    /** Opens {@code minSessions} in the background. Returns at once. */
    void start();

    /**
     * A slot for one request, within {@code timeoutNanos}. Fails with {@link AcquireTimeoutException}
     * or {@link PoolClosingException}; never spawns a process or performs a handshake on the caller's thread.
     *
     * @param affinityKey used by sticky pools to pick the key's own session; ignored by the others (may be null)
     */
    CompletableFuture<Lease> acquire(String affinityKey, long timeoutNanos);

    /** Periodic upkeep: top up, retire idle and old sessions, keepalive pings. Called by the owner's timer. */
    void housekeep();

    /**
     * Sticky pools: the key's session passes the server's sampling and elicitation requests to {@code handler}
     * and declares its capabilities; takes effect for the key's next session (bind before the first call).
     * Other pools keep answering "method not found".
     */
    default void bindAffinity(String affinityKey, io.mcppool.protocol.ServerRequestHandler handler) {
    }

    /** Ends the session bound to an affinity key, if any (sticky pools; a no-op elsewhere). */
    default void releaseAffinity(String affinityKey) {
    }

    EndpointSnapshot snapshot();

    /**
     * An active health check: a ping on one of the endpoint's sessions (opening one if none is open), within
     * {@code timeoutNanos}. Completes normally when the endpoint answered.
     */
    default CompletableFuture<Void> ping(long timeoutNanos) {
        long start = System.nanoTime();
        return acquire(null, timeoutNanos).thenCompose(lease -> {
            lease.background();
            try {
                return lease.session().ping(Math.max(1, timeoutNanos - (System.nanoTime() - start)))
                        .whenComplete((v, e) -> lease.release()).thenApply(v -> (Void) null);
            } catch (RuntimeException e) {
                lease.release();
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /** Whether a call routed here now would find a session without waiting for one to start. */
    default boolean ready() {
        return true;
    }

    /** Refuses new acquires, lets in-flight requests finish for up to {@code grace}, then closes every session. */
    void close(Duration grace);
}
