package io.mcppool.gateway.server;

import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Callback;

/**
 * The handler's callback, completed once whichever way the exchange ends first: by its last write, by that
 * write's failure, or by the gateway dropping it for a client that does not read. Jetty refuses a second completion,
 * and a dropped exchange's pending write fails after the drop.
 */
final class OnceCallback implements Callback {
    private final Callback done;
    private final AtomicBoolean completed = new AtomicBoolean();

    OnceCallback(Callback done) {
        this.done = done;
    }

    @Override
    public void succeeded() {
        if (completed.compareAndSet(false, true)) {
            done.succeeded();
        }
    }

    @Override
    public void failed(Throwable x) {
        if (completed.compareAndSet(false, true)) {
            done.failed(x);
        }
    }
}
