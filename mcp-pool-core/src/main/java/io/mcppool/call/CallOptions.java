package io.mcppool.call;

import io.mcppool.protocol.Progress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Per-call settings. Immutable; build with {@link #builder()}.
 *
 * @param timeout          the call's deadline, from the moment it is made (including the wait for a slot);
 *                         empty: the server's {@code callTimeout}
 * @param affinityKey      routes the call to the key's own session on a sticky server (a user or conversation id)
 * @param onProgress       receives the server's progress notifications for this call, on a transport thread
 * @param failOnToolError  throw {@link ToolErrorException} for results with {@code isError} instead of returning them
 * @param meta             extra entries for the request's {@code _meta}
 * @param cacheScope       whose cached results this call may see and fill (a gateway client); results of tools
 *                         configured {@code shared} are one entry for every scope. Empty: the pool's own scope
 */
public record CallOptions(Optional<Duration> timeout, Optional<String> affinityKey,
                          Optional<Consumer<Progress>> onProgress, boolean failOnToolError, Map<String, Object> meta,
                          Optional<String> cacheScope) {

    public static final CallOptions DEFAULTS = new CallOptions(Optional.empty(), Optional.empty(), Optional.empty(),
            false, Map.of(), Optional.empty());

    public CallOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(affinityKey, "affinityKey");
        Objects.requireNonNull(onProgress, "onProgress");
        meta = Map.copyOf(meta);
        Objects.requireNonNull(cacheScope, "cacheScope");
        timeout.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + t);
            }
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.timeout = timeout.orElse(null);
        b.affinityKey = affinityKey.orElse(null);
        b.onProgress = onProgress.orElse(null);
        b.failOnToolError = failOnToolError;
        b.meta = meta;
        b.cacheScope = cacheScope.orElse(null);
        return b;
    }

    public static final class Builder {
        private Duration timeout;
        private String affinityKey;
        private Consumer<Progress> onProgress;
        private boolean failOnToolError;
        private Map<String, Object> meta = Map.of();
        private String cacheScope;

        private Builder() {
        }

        public Builder timeout(Duration v) { timeout = v; return this; }
        public Builder affinityKey(String v) { affinityKey = v; return this; }
        public Builder onProgress(Consumer<Progress> v) { onProgress = v; return this; }
        public Builder failOnToolError(boolean v) { failOnToolError = v; return this; }
        public Builder meta(Map<String, Object> v) { meta = v; return this; }
        public Builder cacheScope(String v) { cacheScope = v; return this; }

        public CallOptions build() {
            return new CallOptions(Optional.ofNullable(timeout), Optional.ofNullable(affinityKey),
                    Optional.ofNullable(onProgress), failOnToolError, meta, Optional.ofNullable(cacheScope));
        }
    }
}
