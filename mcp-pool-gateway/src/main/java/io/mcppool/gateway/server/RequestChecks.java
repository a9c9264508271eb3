package io.mcppool.gateway.server;

import io.mcppool.gateway.auth.Authenticator;
import io.mcppool.gateway.auth.ClientIdentity;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * What every request to the MCP endpoint passes before it is read, in order: the DNS-rebinding guard
 * ({@code Host}, {@code Origin}), authentication, and the client's rate limit.
 *
 * @param origin    given the {@code Host} and {@code Origin} headers (either may be null), why the request is
 *                  refused (403), or empty
 * @param auth      checks the {@code Authorization} header
 * @param rateLimit 0 when the client may go on, else how many milliseconds until it may (429)
 */
public record RequestChecks(OriginCheck origin, Authenticator auth, ToLongFunction<ClientIdentity> rateLimit) {

    @FunctionalInterface
    public interface OriginCheck {
        Optional<String> refuse(String host, String origin);
    }
}
