package io.mcppool.config;

/**
 * A token bucket: {@code perSecond} tokens flow in, at most {@code burst} wait. Written {@code 50/s},
 * {@code 600/m} or {@code { perClient: 50/s, burst: 100 }}.
 */
public record RateLimit(double perSecond, int burst) {
    /** No limit. */
    public static final RateLimit NONE = new RateLimit(0, 0);

    public RateLimit {
        if (perSecond < 0 || Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate is a positive number of requests per second, got " + perSecond);
        }
        if (burst < 0) {
            throw new IllegalArgumentException("burst must not be negative, got " + burst);
        }
        if (perSecond > 0 && burst < 1) {
            burst = Math.max(1, (int) Math.ceil(perSecond));
        }
    }

    public boolean limited() {
        return perSecond > 0;
    }
}
