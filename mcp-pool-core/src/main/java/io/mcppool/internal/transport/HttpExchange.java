package io.mcppool.internal.transport;

import io.mcppool.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One message's HTTP work (its POST, reading the answer, resuming a cut stream) as the future {@code send}
 * returns, and the handle that stops it.
 *
 * <p>Cancelling it before it started withdraws the message: {@code cancel} returns true and nothing is sent.
 * Once started, {@code cancel} returns false, since the server may have the message, and stops the exchange:
 * the HTTP request in progress is cancelled, the response body being read is closed (which releases its
 * connection) and a wait before a reconnect ends, so the thread running it returns promptly. The future then
 * completes as sent (the sender gave up on the answer, nothing failed), unless the message never left.
 * {@link #abandon} does the same for the transport (a cancel notice for the request went out);
 * {@link #abort} stops it as a failure (the transport closed, a one-way message got no answer in time).
 *
 * <p>Stopping works without interrupts: whatever may block registers itself here first ({@link #send},
 * {@link #read}, {@link #pause}) and checks the stop flag after, and a stop sets the flag before it looks at
 * what is registered, so one of the two always sees the other.
 */
final class HttpExchange extends CompletableFuture<Void> {
    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ENDED = 2;

    /** Why the exchange was stopped, and whether that fails it. */
    private record Stop(String reason, boolean failure) {
    }

    private final Executor closer;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private volatile CompletableFuture<?> request;
    private volatile InputStream body;

    /** {@code closer} runs the part of a stop that touches sockets, so a caller's thread (a timer) does no I/O. */
    HttpExchange(Executor closer) {
        this.closer = closer;
    }

    /** Called by the thread that runs it: false when it was withdrawn first (then nothing may be sent). */
    boolean begin() {
        return state.compareAndSet(QUEUED, RUNNING);
    }

    /** Ends it with its outcome ({@code error} null for success), as a stop, if any, decides. */
    void end(Throwable error) {
        state.set(ENDED);
        Stop s = stop.get();
        boolean neverLeft = error instanceof TransportException te && te.isConnectFailure();
        if (s == null || neverLeft) {
            if (error == null) {
                complete(null);
            } else {
                completeExceptionally(error);
            }
        } else if (s.failure()) {
            completeExceptionally(new TransportException("the exchange was aborted (" + s.reason()
                    + "); the server may have had the message", error));
        } else {
            complete(null); // the sender gave up on the answer; the message went out
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (state.compareAndSet(QUEUED, ENDED)) {
            return super.cancel(mayInterruptIfRunning); // never started: withdrawn
        }
        stop(new Stop("cancelled by the sender", false));
        return false;
    }

    /** Stops it because its sender gave up on it (a cancel notice for the request went out); not a failure. */
    void abandon(String reason) {
        if (state.compareAndSet(QUEUED, ENDED)) {
            super.cancel(false);
            return;
        }
        stop(new Stop(reason, false));
    }

    /**
     * Stops it as a failure: one not started yet fails as not sent; a running one has its HTTP request cancelled
     * and its response body closed, its thread returns and the future fails. Safe from any thread and more than
     * once (the first stop counts); never blocks.
     */
    void abort(String reason) {
        if (state.compareAndSet(QUEUED, ENDED)) {
            completeExceptionally(new TransportException("not sent: " + reason, null, true));
            return;
        }
        stop(new Stop(reason, true));
    }

    private void stop(Stop s) {
        if (state.get() != RUNNING || !stop.compareAndSet(null, s)) {
            return;
        }
        stopSignal.countDown();
        try {
            closer.execute(this::release);
        } catch (RejectedExecutionException e) {
            release(); // the executor is shutting down: release here rather than never
        }
    }

    private void release() {
        CompletableFuture<?> r = request;
        if (r != null) {
            r.cancel(true);
        }
        closeQuietly(body);
    }

    boolean stopped() {
        return stop.get() != null;
    }

    /** Sends one HTTP request as part of this exchange; an abort cancels it. */
    <T> HttpResponse<T> send(HttpClient client, HttpRequest httpRequest, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        if (stopped()) {
            throw new TransportException("not sent: the exchange was stopped", null, true);
        }
        CompletableFuture<HttpResponse<T>> cf = client.sendAsync(httpRequest, handler);
        request = cf;
        if (stopped()) {
            cf.cancel(true); // the stop may have looked before the request was registered
        }
        try {
            return cf.get();
        } catch (CancellationException e) {
            throw new IOException("aborted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        } catch (InterruptedException e) {
            cf.cancel(true);
            throw e;
        } finally {
            request = null;
        }
    }

    /** Registers the body being read, so an abort closes it (and the connection under it). */
    InputStream read(InputStream responseBody) {
        body = responseBody;
        if (stopped()) {
            closeQuietly(responseBody);
        }
        return responseBody;
    }

    /** Waits {@code millis} before a reconnect; false when the exchange was stopped meanwhile. */
    boolean pause(long millis) throws InterruptedException {
        return millis <= 0 ? !stopped() : !stopSignal.await(millis, TimeUnit.MILLISECONDS);
    }

    static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // closing only to release the connection and wake a reader
            }
        }
    }
}
