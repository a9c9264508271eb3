package io.mcppool.config;

/**
 * What one gateway client may hold of what every client shares, counted over all its sessions together: keys of
 * the {@code gateway} block. A client is a name (an API key's, {@code jwt:<subject>}); while auth is off every
 * request is the one client {@code anonymous}, to which these quotas do not apply (they would cap all clients
 * together), and only the gateway-wide limits do.
 *
 * @param maxSessionsPerClient       client sessions at once; at the quota, the client's own least recently used
 *                                   session without a call in flight ends to make room for a new one, and when
 *                                   every one has a call in flight the new one is refused (429)
 * @param maxStreamsPerClient        GET streams open at once (429 for one more)
 * @param maxCallsPerClient          requests being answered at once (429 for one more, or an error for that element
 *                                   of a batch)
 * @param maxStickySessionsPerClient upstream sessions of one sticky server at once, one per client session that
 *                                   called it (429 for a call from one more session)
 */
public record ClientQuotas(int maxSessionsPerClient, int maxStreamsPerClient, int maxCallsPerClient,
                           int maxStickySessionsPerClient) {
    public static final int DEFAULT_MAX_SESSIONS_PER_CLIENT = 100;
    public static final int DEFAULT_MAX_STREAMS_PER_CLIENT = 16;
    public static final int DEFAULT_MAX_CALLS_PER_CLIENT = 32;
    public static final int DEFAULT_MAX_STICKY_SESSIONS_PER_CLIENT = 2;
    public static final ClientQuotas DEFAULTS = new ClientQuotas(DEFAULT_MAX_SESSIONS_PER_CLIENT,
            DEFAULT_MAX_STREAMS_PER_CLIENT, DEFAULT_MAX_CALLS_PER_CLIENT, DEFAULT_MAX_STICKY_SESSIONS_PER_CLIENT);

    public ClientQuotas {
        if (maxSessionsPerClient < 1 || maxStreamsPerClient < 1 || maxCallsPerClient < 1
                || maxStickySessionsPerClient < 1) {
            throw new IllegalArgumentException("per-client quotas must be at least 1, got " + maxSessionsPerClient + ", "
                    + maxStreamsPerClient + ", " + maxCallsPerClient + ", " + maxStickySessionsPerClient);
        }
    }
}
