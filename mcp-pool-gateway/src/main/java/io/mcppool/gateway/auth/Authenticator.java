package io.mcppool.gateway.auth;

import java.util.Optional;

/** Checks a request's {@code Authorization} header. Thread-safe; called for every request, so fast. */
public interface Authenticator {
    AuthResult authenticate(Optional<String> authorization);
}
