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

    /** No per-call settings: the server's timeout, no affinity, no progress, tool errors returned as results. */
    public static final CallOptions DEFAULTS = new CallOptions(Optional.empty(), Optional.empty(), Optional.empty(),
            false, Map.of(), Optional.empty());

    /** @throws IllegalArgumentException if the timeout is zero or negative */
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

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
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

    /** Builds {@link CallOptions}; each setter takes null for "not set". */
    public static final class Builder {
        private Duration timeout;
        private String affinityKey;
        private Consumer<Progress> onProgress;
        private boolean failOnToolError;
        private Map<String, Object> meta = Map.of();
        private String cacheScope;

        private Builder() {
        }

        /** The call's deadline from the moment it is made; positive. */
        public Builder timeout(Duration v) { timeout = v; return this; }

        /** The key whose own session a sticky server's call goes to (a user or conversation id). */
        public Builder affinityKey(String v) { affinityKey = v; return this; }

        /** Receives the call's progress notifications on a transport thread: must be fast and must not block. */
        public Builder onProgress(Consumer<Progress> v) { onProgress = v; return this; }

        /** Whether a result with {@code isError} fails the call with {@link ToolErrorException}. */
        public Builder failOnToolError(boolean v) { failOnToolError = v; return this; }

        /** Extra entries for the request's {@code _meta}. */
        public Builder meta(Map<String, Object> v) { meta = v; return this; }

        /** Whose cached results the call may see and fill (a gateway client's name). */
        public Builder cacheScope(String v) { cacheScope = v; return this; }

        /**
         * The options.
         *
         * @throws IllegalArgumentException if the timeout is zero or negative
         */
        public CallOptions build() {
            return new CallOptions(Optional.ofNullable(timeout), Optional.ofNullable(affinityKey),
                    Optional.ofNullable(onProgress), failOnToolError, meta, Optional.ofNullable(cacheScope));
        }
    }
}
