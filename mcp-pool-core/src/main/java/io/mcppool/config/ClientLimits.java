package io.mcppool.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What the gateway holds for one client at most: a client that stops reading, or never answers what an upstream
 * asks it, costs the gateway this much and no more. Keys of the {@code gateway} block.
 *
 * @param maxStreamMessages      messages queued on one stream to the client and not yet written (an SSE stream of
 *                               the HTTP gateway; stdout of {@code mcp-pool stdio})
 * @param maxStreamBytes         bytes queued on one such stream and not yet written
 * @param maxUnreadResponseBytes bytes of responses one client session has waiting to be written (its client has
 *                               not read them yet); over it, the session's oldest waiting responses are dropped
 * @param clientRequestTimeout   how long an upstream's request to the client (sampling, elicitation) waits for the
 *                               client's answer; then the upstream gets an error
 * @param maxClientRequests      an upstream's requests one client session may have unanswered at once; more are
 *                               answered with an error at once, and not forwarded
 * @param quotas                 what one client (all its sessions together) may hold of what every client shares
 */
public record ClientLimits(int maxStreamMessages, long maxStreamBytes, long maxUnreadResponseBytes,
                           Duration clientRequestTimeout, int maxClientRequests, ClientQuotas quotas) {
    public static final int DEFAULT_MAX_STREAM_MESSAGES = 1_000;
    public static final long DEFAULT_MAX_STREAM_BYTES = 8L * 1024 * 1024;
    public static final long DEFAULT_MAX_UNREAD_RESPONSE_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_CLIENT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_CLIENT_REQUESTS = 32;
    public static final ClientLimits DEFAULTS = new ClientLimits(DEFAULT_MAX_STREAM_MESSAGES, DEFAULT_MAX_STREAM_BYTES,
            DEFAULT_MAX_UNREAD_RESPONSE_BYTES, DEFAULT_CLIENT_REQUEST_TIMEOUT, DEFAULT_MAX_CLIENT_REQUESTS);

    /** The limits of one client's sessions, with the default {@link ClientQuotas}. */
    public ClientLimits(int maxStreamMessages, long maxStreamBytes, long maxUnreadResponseBytes,
                        Duration clientRequestTimeout, int maxClientRequests) {
        this(maxStreamMessages, maxStreamBytes, maxUnreadResponseBytes, clientRequestTimeout, maxClientRequests,
                ClientQuotas.DEFAULTS);
    }

    public ClientLimits {
        Objects.requireNonNull(clientRequestTimeout, "clientRequestTimeout");
        Objects.requireNonNull(quotas, "quotas");
        if (maxStreamMessages < 1 || maxStreamBytes < 1 || maxUnreadResponseBytes < 1 || maxClientRequests < 1) {
            throw new IllegalArgumentException("client limits must be at least 1, got " + maxStreamMessages + ", "
                    + maxStreamBytes + ", " + maxUnreadResponseBytes + ", " + maxClientRequests);
        }
        if (clientRequestTimeout.isNegative() || clientRequestTimeout.isZero()) {
            throw new IllegalArgumentException("clientRequestTimeout must be positive, got " + clientRequestTimeout);
        }
    }
}
