package io.mcppool.internal.pool;

/** The pool is closing or closed; nothing was sent. */
public final class PoolClosingException extends RuntimeException {
    public PoolClosingException(String message) {
        super(message, null, false, false);
    }
}
