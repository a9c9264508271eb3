package io.mcppool.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One gateway client that presents a bearer API key. Only the key's SHA-256 is kept: written in the file as
 * {@code sha256: <hex>}, or computed at load from {@code key: ${ENV_NAME}} so the key itself stays in the
 * environment.
 *
 * @param name      the client's name in logs, metrics and rate limits
 * @param sha256    lower-case hex SHA-256 of the key's UTF-8 bytes
 * @param allow     what the client may use: namespaced tool and prompt names, globs allowed ({@code files__*},
 *                  {@code search__query}, {@code *}); a server's resources follow {@code <server>__*}
 * @param rateLimit this client's own limit, overriding the gateway's per-client one
 */
public record ApiKeySettings(String name, String sha256, List<String> allow, Optional<RateLimit> rateLimit) {
    public ApiKeySettings {
        Objects.requireNonNull(name, "name");
        sha256 = Objects.requireNonNull(sha256, "sha256").toLowerCase(Locale.ROOT);
        allow = List.copyOf(allow);
        Objects.requireNonNull(rateLimit, "rateLimit");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("an API key's sha256 is 64 hex digits, got '" + sha256 + "'");
        }
    }
}
