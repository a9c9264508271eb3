package io.mcppool.config;

import java.util.Objects;
import java.util.Optional;

/**
 * What the operator says about one tool, overriding (or standing in for) the server's annotations.
 * An empty value means "not said": the server's annotations decide, if the server is trusted.
 *
 * @param idempotent true: safe to repeat whatever the server says; false: never repeated, whatever it says
 * @param readOnly   true: has no side effects whatever the server says; false: treated as writing
 * @param retry      this tool's retry settings, when they differ from the server's
 * @param cache      this tool's cache block, merged over the server's: present means the operator lists the tool
 *                   as cacheable (with a zero TTL: never cached)
 */
public record ToolConfig(Optional<Boolean> idempotent, Optional<Boolean> readOnly, Optional<RetrySettings> retry,
                         Optional<CacheSettings> cache) {
    /** Every setting at its default. */
    public static final ToolConfig DEFAULTS = new ToolConfig(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /** @throws IllegalArgumentException if a value is out of its range */
    public ToolConfig {
        Objects.requireNonNull(idempotent, "idempotent");
        Objects.requireNonNull(readOnly, "readOnly");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(cache, "cache");
    }

    public ToolConfig(Optional<Boolean> idempotent, Optional<Boolean> readOnly, Optional<RetrySettings> retry) {
        this(idempotent, readOnly, retry, Optional.empty());
    }

    public ToolConfig withCache(CacheSettings v) {
        return new ToolConfig(idempotent, readOnly, retry, Optional.of(v));
    }

    /** Both hints said explicitly, no retry override. */
    public ToolConfig(boolean idempotent, boolean readOnly) {
        this(Optional.of(idempotent), Optional.of(readOnly), Optional.empty(), Optional.empty());
    }
}
