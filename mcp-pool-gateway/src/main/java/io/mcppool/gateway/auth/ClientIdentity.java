package io.mcppool.gateway.auth;

import io.mcppool.config.RateLimit;
import java.util.Objects;

/**
 * Who a gateway request comes from, once authenticated: its name (the API key's name or the JWT's subject),
 * what it may use, and its rate limit. The name also scopes its cached results and its sticky upstream
 * sessions; it is never sent upstream.
 *
 * @param anonymous true while auth is off (loopback, or disabled by config)
 */
public record ClientIdentity(String name, AccessPolicy access, RateLimit rateLimit, boolean anonymous) {
    public ClientIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(rateLimit, "rateLimit");
    }
}
