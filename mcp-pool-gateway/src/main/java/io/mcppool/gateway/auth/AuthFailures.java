package io.mcppool.gateway.auth;

import io.mcppool.config.FrontDoorSettings;
import io.mcppool.config.RateLimit;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failed-authentication throttle: each source address, and each presented token, may fail authentication
 * {@code gateway.maxAuthFailures} times at once, and one more time every {@code authFailureWindow / maxAuthFailures}
 * (a token bucket). Past that, it gets 429 with {@code Retry-After} before its credentials are looked at: an address
 * throttled is throttled for every token it sends, a valid one too (behind a proxy every client has the proxy's
 * address; set {@code maxAuthFailures: 0} there, or accept it), and a token throttled is throttled from every
 * address. Requests without credentials cost nothing here; only credentials that were checked and refused count.
 *
 * <p>An IPv6 address counts by its /64, the block one host usually holds. Bounded: at most
 * {@value #MAX_TRACKED} addresses and as many tokens are tracked; past that, failures of new ones are counted and
 * logged but not throttled until old entries are forgotten. Tokens are kept as a hash, never as they were sent.
 *
 * <p>Log lines: one per failure, at most {@value #LOG_LINES_PER_MINUTE} a minute (then one saying how many were
 * left out), naming the address and the reason, never the token. Thread-safe.
 */
public final class AuthFailures {
    private static final Logger log = LoggerFactory.getLogger(AuthFailures.class);
    static final int MAX_TRACKED = 10_000;
    static final int LOG_LINES_PER_MINUTE = 20;
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The throttle off. */
    public static final AuthFailures NONE = new AuthFailures(0, FrontDoorSettings.DEFAULT_AUTH_FAILURE_WINDOW);

    private final RateLimit limit;
    private final String rule;
    private final RateLimiter byAddress = new RateLimiter(MAX_TRACKED);
    private final RateLimiter byToken = new RateLimiter(MAX_TRACKED);
    private final ReentrantLock logLock = new ReentrantLock();
    private long logWindowStart = System.nanoTime();
    private int loggedInWindow;
    private long notLogged;
    private final AtomicLong failures = new AtomicLong();

    /** @param maxFailures failures at once per address and per token; 0 turns the throttle off */
    public AuthFailures(int maxFailures, java.time.Duration window) {
        this.limit = maxFailures <= 0 ? RateLimit.NONE
                : new RateLimit(maxFailures / (window.toNanos() / 1e9), maxFailures);
        this.rule = maxFailures + " per " + window.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                + " (gateway.maxAuthFailures, gateway.authFailureWindow)";
    }

    public static AuthFailures of(FrontDoorSettings settings) {
        return new AuthFailures(settings.maxAuthFailures(), settings.authFailureWindow());
    }

    /**
     * Whether a request from {@code address} with this token may have its credentials checked.
     *
     * @param tokenKey {@link #tokenKey(String)} of its bearer token, or null when it sends none
     * @return 0 when it may, else how many milliseconds until it may (answer 429)
     */
    public long throttled(String addressKey, String tokenKey) {
        long address = byAddress.waitMillis(addressKey, limit);
        long token = tokenKey == null ? 0 : byToken.waitMillis(tokenKey, limit);
        return Math.max(address, token);
    }

    /** Counts a refused credential of {@code address}, logs it (within the log budget). */
    public void failed(String addressKey, String tokenKey, String address, String reason) {
        failures.incrementAndGet();
        byAddress.tryAcquire(addressKey, limit, 1);
        if (tokenKey != null) {
            byToken.tryAcquire(tokenKey, limit, 1);
        }
        boolean nowThrottled = limit.limited() && throttled(addressKey, tokenKey) > 0;
        logFailure("authentication failed from " + address + ": " + reason
                + (nowThrottled ? "; its next attempts get 429 for a while: " + rule : ""));
    }

    /** Failed authentications counted so far. */
    public long failures() {
        return failures.get();
    }

    private void logFailure(String line) {
        long skipped = -1;
        logLock.lock();
        try {
            long now = System.nanoTime();
            if (now - logWindowStart >= MINUTE_NANOS) {
                logWindowStart = now;
                loggedInWindow = 0;
            }
            if (loggedInWindow < LOG_LINES_PER_MINUTE) {
                loggedInWindow++;
                skipped = notLogged;
                notLogged = 0;
            } else {
                notLogged++;
            }
        } finally {
            logLock.unlock();
        }
        if (skipped >= 0) {
            log.warn("{}{}", line, skipped > 0 ? " (" + skipped + " more failed authentications were not logged)" : "");
        }
    }

    /**
     * The key of a source address: the address itself, or its first 64 bits for IPv6 (one host usually holds a
     * whole /64, and may pick any address in it).
     */
    public static String addressKey(InetAddress address) {
        if (address == null) {
            return "unknown";
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address) {
            return HexFormat.of().formatHex(Arrays.copyOf(bytes, 8)) + "::/64";
        }
        return address.getHostAddress();
    }

    /** The key of a token: 128 bits of its SHA-256, so that the token itself is never held. */
    public static String tokenKey(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
