package io.mcppool.internal.catalog;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs one listing of one list at a time and folds requests together. A request while nothing runs starts a
 * listing. A request while one runs either shares it ({@code fresh} false: any recent list will do) or waits
 * for one more listing after it ({@code fresh} true: the running one may have read the list before the
 * change that prompted the request); all such requests share that one follow-up. Listings start on the
 * background executor, never on the thread that asked (a transport's reader, the timer).
 */
final class Refresher {
    private final Supplier<CompletableFuture<Void>> listing;
    private final Executor background;
    private final ReentrantLock lock = new ReentrantLock();
    /** The listing under way, or null; guarded by lock. */
    private CompletableFuture<Void> running;
    /** The follow-up fresh requests wait for, or null; guarded by lock. */
    private CompletableFuture<Void> next;

    /** @param listing starts one listing; its future completes when the result is installed (or it failed) */
    Refresher(Supplier<CompletableFuture<Void>> listing, Executor background) {
        this.listing = listing;
        this.background = background;
    }

    /** A listing that ends after this call; completes with its outcome. Cancelling the result cancels nothing. */
    CompletableFuture<Void> request(boolean fresh) {
        CompletableFuture<Void> start;
        lock.lock();
        try {
            if (running == null) {
                running = start = new CompletableFuture<>();
            } else if (!fresh) {
                return running.copy();
            } else {
                if (next == null) {
                    next = new CompletableFuture<>();
                }
                return next.copy();
            }
        } finally {
            lock.unlock();
        }
        launch(start);
        return start.copy();
    }

    /** Completes (normally, whatever the outcome) when the listings under way or asked for now have ended. */
    CompletableFuture<Void> idle() {
        lock.lock();
        try {
            CompletableFuture<Void> last = next != null ? next : running;
            return last == null ? CompletableFuture.completedFuture(null) : last.handle((v, e) -> (Void) null);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a listing is under way. */
    boolean busy() {
        lock.lock();
        try {
            return running != null;
        } finally {
            lock.unlock();
        }
    }

    private void launch(CompletableFuture<Void> target) {
        try {
            background.execute(() -> {
                CompletableFuture<Void> f;
                try {
                    f = listing.get();
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                f.whenComplete((v, e) -> finished(target, e));
            });
        } catch (RejectedExecutionException closing) {
            finished(target, closing);
        }
    }

    private void finished(CompletableFuture<Void> target, Throwable failure) {
        CompletableFuture<Void> follow;
        lock.lock();
        try {
            follow = next;
            next = null;
            running = follow;
        } finally {
            lock.unlock();
        }
        if (follow != null) {
            launch(follow);
        }
        if (failure == null) {
            target.complete(null);
        } else {
            target.completeExceptionally(failure);
        }
    }
}
