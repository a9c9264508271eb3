package io.mcppool.gateway.auth;

import io.mcppool.config.GatewaySettings;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The DNS-rebinding guard: checks a request's {@code Host} and {@code Origin} headers before anything else (MCP
 * 2025-11-25, Streamable HTTP: "Servers MUST validate the Origin header"; an invalid one gets 403). A page on
 * {@code evil.example} whose name an attacker points at 127.0.0.1 reaches a loopback gateway with
 * {@code Host: evil.example} and {@code Origin: http://evil.example}; both are refused here.
 *
 * <p>The allowed host names are: {@code localhost}, {@code 127.0.0.1} and {@code [::1]} when the gateway binds a
 * loopback address or every interface; the bind host itself when it is a specific address or name; and
 * {@code gateway.allowedHosts}. Ports do not matter (a rebinding attack changes the name, not the port, and a
 * proxy in front may change the port).
 * <ul>
 * <li>{@code Host} must name an allowed host. When the gateway binds every interface ({@code 0.0.0.0},
 * {@code ::}) and {@code allowedHosts} is empty, the names it is reached by are unknown, so {@code Host} is not
 * checked (auth is then required unless disabled, and {@code Origin} is still checked).</li>
 * <li>{@code Origin}, when present, must be in {@code gateway.allowedOrigins} (any scheme, exact but for case
 * and a trailing slash), or be {@code http://} or {@code https://} an allowed host with an optional port.
 * {@code Origin: null} (sandboxed frames, {@code file:} pages) is refused. Clients that are not browsers send no {@code Origin} and are not affected.</li>
 * </ul>
 * Thread-safe and immutable.
 */
public final class RequestGuard {
    /** Why a request is refused, safe to show the client. */
    public record Rejection(int status, String message) {
    }

    private final Set<String> allowedHostNames;
    private final boolean checkHost;
    private final Set<String> allowedOrigins;

    private RequestGuard(Set<String> allowedHostNames, boolean checkHost, Set<String> allowedOrigins) {
        this.allowedHostNames = allowedHostNames;
        this.checkHost = checkHost;
        this.allowedOrigins = allowedOrigins;
    }

    /**
     * The guard for a gateway bound as {@code settings.host()} says.
     *
     * @throws IllegalArgumentException when an entry of {@code allowedHosts} or {@code allowedOrigins} is not a
     *                                  host name or an origin
     */
    public static RequestGuard of(GatewaySettings settings) {
        String bind = settings.host();
        boolean wildcard = HostNames.isWildcardBind(bind);
        Set<String> hosts = new HashSet<>();
        if (wildcard || HostNames.isLoopbackBind(bind)) {
            hosts.addAll(HostNames.LOOPBACK);
        }
        if (!wildcard) {
            hosts.add(HostNames.normalize(bind));
        }
        for (String entry : settings.allowedHosts()) {
            String host = HostNames.hostOfAuthority(entry.trim());
            if (host == null) {
                throw new IllegalArgumentException("gateway.allowedHosts: '" + entry
                        + "' is not a host name (a name or address, optionally with :port)");
            }
            hosts.add(host);
        }
        Set<String> origins = new HashSet<>();
        for (String entry : settings.allowedOrigins()) {
            String origin = normalizeOrigin(entry);
            if (!isOrigin(origin)) {
                throw new IllegalArgumentException("gateway.allowedOrigins: '" + entry
                        + "' is not an origin (scheme://host[:port], no path)");
            }
            origins.add(origin);
        }
        boolean checkHost = !wildcard || !settings.allowedHosts().isEmpty();
        return new RequestGuard(Set.copyOf(hosts), checkHost, Set.copyOf(origins));
    }

    /**
     * Checks one request.
     *
     * @param host   the {@code Host} header (or HTTP/2 {@code :authority}); null when absent
     * @param origin the {@code Origin} header; null when absent
     * @return empty when the request may go on, else a 403 to send
     */
    public Optional<Rejection> check(String host, String origin) {
        if (checkHost) {
            if (host == null || host.isEmpty()) {
                return reject("missing Host header");
            }
            String name = HostNames.hostOfAuthority(host);
            if (name == null) {
                return reject("malformed Host header");
            }
            if (!allowedHostNames.contains(name)) {
                return reject("Host '" + name + "' is not allowed (DNS rebinding guard); "
                        + "add it to gateway.allowedHosts if the gateway is reached by that name");
            }
        }
        if (origin != null) {
            return checkOrigin(origin);
        }
        return Optional.empty();
    }

    /**
     * Whether {@code origin} is listed in {@code gateway.allowedOrigins}: only those get CORS headers, so that a
     * browser lets their pages read the answers. A page of an allowed <em>host</em> on another port (a local dev
     * server, say) passes the guard but is not admitted to read cross-origin unless listed.
     */
    public boolean isListedOrigin(String origin) {
        return origin != null && allowedOrigins.contains(normalizeOrigin(origin));
    }

    private Optional<Rejection> checkOrigin(String origin) {
        String normalized = normalizeOrigin(origin);
        if (normalized.equals("null")) {
            return reject("Origin 'null' is not allowed");
        }
        if (allowedOrigins.contains(normalized)) {
            return Optional.empty();
        }
        String name = originHost(normalized);
        if (name == null) {
            return reject("malformed Origin header");
        }
        if (!allowedHostNames.contains(name)) {
            return reject("Origin '" + normalized + "' is not allowed (DNS rebinding guard); "
                    + "add it to gateway.allowedOrigins if browser pages there may use the gateway");
        }
        return Optional.empty();
    }

    /** Lower case, no trailing slash: origins compare this way. */
    private static String normalizeOrigin(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    /**
     * {@code scheme://authority} without a path: listed origins may have any scheme, for browser-like hosts
     * ({@code vscode-webview://...}, {@code chrome-extension://...}).
     */
    private static boolean isOrigin(String normalizedOrigin) {
        int separator = normalizedOrigin.indexOf("://");
        if (separator <= 0) {
            return false;
        }
        String authority = normalizedOrigin.substring(separator + 3);
        return !authority.isEmpty() && authority.indexOf('/') < 0 && authority.indexOf('@') < 0
                && authority.chars().noneMatch(c -> c <= ' ');
    }

    /** The host of an {@code http(s)://host[:port]} origin, or null when it is not one. */
    private static String originHost(String normalizedOrigin) {
        String authority;
        if (normalizedOrigin.startsWith("http://")) {
            authority = normalizedOrigin.substring(7);
        } else if (normalizedOrigin.startsWith("https://")) {
            authority = normalizedOrigin.substring(8);
        } else {
            return null;
        }
        return HostNames.hostOfAuthority(authority);
    }

    private static Optional<Rejection> reject(String message) {
        return Optional.of(new Rejection(403, message));
    }
}
