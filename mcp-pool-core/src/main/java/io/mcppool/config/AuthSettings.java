package io.mcppool.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who may use the gateway.
 *
 * @param mode    {@code auto} (the default): required unless the gateway listens on loopback only;
 *                {@code required}; {@code disabled} (must be said to serve a non-loopback address openly)
 * @param apiKeys clients with bearer API keys
 * @param jwt     clients with JWTs
 * @param anonymousAllow what a client without credentials may use while auth is off (default everything)
 */
public record AuthSettings(Mode mode, List<ApiKeySettings> apiKeys, Optional<JwtSettings> jwt,
                           List<String> anonymousAllow) {
    public enum Mode { AUTO, REQUIRED, DISABLED }

    public static final AuthSettings DEFAULTS = new AuthSettings(Mode.AUTO, List.of(), Optional.empty(), List.of("*"));

    public AuthSettings {
        Objects.requireNonNull(mode, "mode");
        apiKeys = List.copyOf(apiKeys);
        Objects.requireNonNull(jwt, "jwt");
        anonymousAllow = List.copyOf(anonymousAllow);
    }

    /** Whether credentials are checked when the gateway binds {@code host}. */
    public boolean required(boolean loopbackOnly) {
        return switch (mode) {
            case REQUIRED -> true;
            case DISABLED -> false;
            case AUTO -> !loopbackOnly || !apiKeys.isEmpty() || jwt.isPresent();
        };
    }
}
