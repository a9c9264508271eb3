package io.mcppool.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A call's result whose {@code cancel} reaches what the call is doing at that moment: the wait for a
 * slot, or the request in flight (which then sends {@code notifications/cancelled}). A plain
 * dependent stage of a {@code CompletableFuture} would not cancel its source.
 */
public class CallFuture<T> extends CompletableFuture<T> {
    private volatile Future<?> upstream;

    /** What a cancel should stop from now on. If the call was cancelled already, it is stopped at once. */
    public void upstream(Future<?> stage) {
        upstream = stage;
        if (isCancelled()) {
            stage.cancel(false);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            Future<?> u = upstream;
            if (u != null) {
                u.cancel(mayInterruptIfRunning);
            }
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
