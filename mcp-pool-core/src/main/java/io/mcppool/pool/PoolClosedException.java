package io.mcppool.pool;

/** The pool is closing or closed; nothing was sent. */
public final class PoolClosedException extends RuntimeException {
    public PoolClosedException(String message) {
        super(message, null, false, false);
    }
}
