package io.mcppool.gateway.mcp;

/**
 * Why the gateway will not take a request now, as the HTTP layer answers it: a status (429 when the client is at one
 * of its own quotas, 503 when the gateway as a whole is full), when to try again, and a message safe to show the
 * client (it names the setting, never a credential).
 *
 * @param status            429 or 503
 * @param retryAfterSeconds the {@code Retry-After} value, at least 1
 * @param quota             which limit refused it, for metrics: one of {@link GatewayEvents}' quota names
 */
public record Refusal(int status, long retryAfterSeconds, String quota, String message) {
    /** A client's own quota: its calls end by their deadlines, so it may try again soon. */
    static final long CALLS_RETRY_AFTER_SECONDS = 1;
    /** Sessions, streams and sticky sessions free up when the client ends one (or it idles out): later. */
    static final long SESSIONS_RETRY_AFTER_SECONDS = 5;

    public Refusal {
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("Retry-After is at least 1 s, got " + retryAfterSeconds);
        }
    }
}
