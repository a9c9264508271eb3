package io.mcppool.config;

import java.util.Locale;

/** How the wait before a retry grows with the retry's number. */
public enum BackoffPolicy {
    /** {@code initialBackoff × 2^(n-1)}, capped at {@code maxBackoff}. The default. */
    EXPONENTIAL,
    /** {@code initialBackoff × n}, capped at {@code maxBackoff}. */
    LINEAR,
    /** {@code initialBackoff} every time. */
    FIXED;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
