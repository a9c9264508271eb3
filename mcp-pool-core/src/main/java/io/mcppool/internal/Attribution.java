package io.mcppool.internal;

import io.mcppool.call.CallOptions;
import java.time.Duration;

/**
 * For whom a call is made and whose deadline it runs to, as its endpoint's breaker weighs the outcome: a timeout
 * counts against the endpoint only when the deadline was the server's own {@code callTimeout} (a caller's shorter
 * deadline says nothing about the server), and one caller's timeouts and slow calls alone do not open the breaker.
 *
 * @param caller      the caller (a gateway client: {@link CallOptions#cacheScope()}), or null when unknown
 * @param ownDeadline whether the call's deadline is at least the server's {@code callTimeout}
 */
public record Attribution(String caller, boolean ownDeadline) {
    /** Nobody in particular, at the server's own deadline: outcomes count as they come. */
    public static final Attribution NONE = new Attribution(null, true);

    /** The attribution of a call made with {@code options} to a server whose {@code callTimeout} is this. */
    public static Attribution of(CallOptions options, Duration callTimeout) {
        boolean own = options.timeout().map(t -> t.compareTo(callTimeout) >= 0).orElse(true);
        String caller = options.cacheScope().orElse(null);
        return caller == null && own ? NONE : new Attribution(caller, own);
    }
}
