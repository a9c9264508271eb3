package io.mcppool.internal.resilience;

import io.mcppool.config.RetrySettings;
import java.util.function.DoubleSupplier;

/** The wait before a retry. */
public final class Backoff {
    private Backoff() {
    }

    /**
     * The backoff before retry number {@code retry} (1 = the first retry), in nanoseconds: the policy's
     * value capped at {@code maxBackoff}, then, with jitter on, drawn uniformly from zero to that value
     * ("full jitter", which spreads a crowd of callers that failed together).
     *
     * @param random uniform in [0, 1)
     */
    public static long delayNanos(RetrySettings settings, int retry, DoubleSupplier random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
        }
        long initial = settings.initialBackoff().toNanos();
        long max = settings.maxBackoff().toNanos();
        if (initial == 0) {
            return 0;
        }
        long base = switch (settings.policy()) {
            case FIXED -> initial;
            case LINEAR -> saturatingMultiply(initial, retry);
            case EXPONENTIAL -> retry > 62 ? Long.MAX_VALUE : saturatingMultiply(initial, 1L << (retry - 1));
        };
        long capped = Math.min(base, max);
        return settings.jitter() ? (long) (capped * random.getAsDouble()) : capped;
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }
}
