package io.mcppool.gateway.server;

import io.mcppool.config.GatewaySettings;
import io.mcppool.gateway.auth.Authenticator;
import io.mcppool.gateway.auth.Authenticators;
import io.mcppool.gateway.auth.RateLimiter;
import io.mcppool.gateway.auth.RequestGuard;

/**
 * The parts of the front door's checks that a reload replaces (see {@link FrontDoor} for the order): the DNS-rebinding
 * guard and the listed CORS origins, credentials and allow lists, and the clients' rate limits.
 *
 * @param guard       the {@code Host} and {@code Origin} check, and which origins are listed
 * @param auth        checks the {@code Authorization} header
 * @param rateLimiter each client's token bucket
 */
public record RequestChecks(RequestGuard guard, Authenticator auth, RateLimiter rateLimiter) {

    /**
     * The checks of {@code settings}, built whole before anything uses them, so a reload can build them first and
     * swap them in only when every part could be built.
     *
     * @throws IllegalArgumentException when an allowed host or origin, an API key, a PEM or JWKS file cannot be used
     */
    public static RequestChecks of(GatewaySettings settings) {
        return new RequestChecks(RequestGuard.of(settings), Authenticators.from(settings), new RateLimiter());
    }
}
