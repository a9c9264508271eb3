package io.mcppool.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The top-level {@code gateway} block: how {@code mcp-pool serve} serves every pooled server as one MCP
 * endpoint.
 *
 * @param host               the address to bind (loopback by default: auth is then optional)
 * @param port               the TCP port; 0 picks a free one
 * @param path               where the Streamable HTTP MCP endpoint is served
 * @param separator          between a server's prefix and a tool or prompt name ({@code files__read_file})
 * @param auth               who may connect and what each client may use
 * @param rateLimit          each client's request rate (API keys may set their own)
 * @param allowedOrigins     {@code Origin} values accepted besides the gateway's own host (DNS rebinding guard)
 * @param allowedHosts       {@code Host} values accepted besides loopback names and the bind address
 * @param maxBodyBytes       the largest request body accepted (413 above)
 * @param sessionIdleTimeout a client session with no request and no answer for this long ends (and so its sticky upstreams)
 * @param maxSessions        the most client sessions at once (503 above)
 * @param drainTimeout       on SIGTERM or a removed server: how long in-flight calls may finish
 * @param watchConfig        reload the config file when it changes (SIGHUP always reloads)
 * @param limits             what the gateway holds for one client at most (streams, unread responses, the
 *                           upstreams' requests to it)
 * @param frontDoor          what the front door lets in: connections, failed authentications, batch and
 *                           {@code initialize} sizes
 */
public record GatewaySettings(String host, int port, String path, String separator, AuthSettings auth,
                              RateLimit rateLimit, List<String> allowedOrigins, List<String> allowedHosts,
                              long maxBodyBytes, Duration sessionIdleTimeout, int maxSessions, Duration drainTimeout,
                              boolean watchConfig, ClientLimits limits, FrontDoorSettings frontDoor) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_SEPARATOR = "__";
    public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;
    public static final GatewaySettings DEFAULTS = new GatewaySettings(DEFAULT_HOST, DEFAULT_PORT, "/mcp",
            DEFAULT_SEPARATOR, AuthSettings.DEFAULTS, RateLimit.NONE, List.of(), List.of(), DEFAULT_MAX_BODY_BYTES,
            Duration.ofMinutes(30), 10_000, Duration.ofSeconds(30), true, ClientLimits.DEFAULTS,
            FrontDoorSettings.DEFAULTS);
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    public GatewaySettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(separator, "separator");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(rateLimit, "rateLimit");
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedHosts = List.copyOf(allowedHosts);
        Objects.requireNonNull(sessionIdleTimeout, "sessionIdleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(frontDoor, "frontDoor");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gateway port is 0 to 65535, got " + port);
        }
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("gateway separator must not be empty");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("gateway path starts with '/', got '" + path + "'");
        }
    }

    /** The settings before the front door had its own: {@link FrontDoorSettings#DEFAULTS} for it. */
    public GatewaySettings(String host, int port, String path, String separator, AuthSettings auth,
                           RateLimit rateLimit, List<String> allowedOrigins, List<String> allowedHosts,
                           long maxBodyBytes, Duration sessionIdleTimeout, int maxSessions, Duration drainTimeout,
                           boolean watchConfig, ClientLimits limits) {
        this(host, port, path, separator, auth, rateLimit, allowedOrigins, allowedHosts, maxBodyBytes,
                sessionIdleTimeout, maxSessions, drainTimeout, watchConfig, limits, FrontDoorSettings.DEFAULTS);
    }

    /**
     * Whether {@link #host} reaches this machine only: {@code localhost}, 127.0.0.0/8 or {@code ::1}. Decided
     * from the text alone, never by a DNS lookup: a name that could resolve elsewhere is not loopback.
     */
    public boolean loopbackOnly() {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        Matcher v4 = IPV4.matcher(h);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return Integer.parseInt(v4.group(1)) == 127;
        }
        if (h.indexOf(':') >= 0) {
            try {
                // In brackets, the JDK parses the text as an IPv6 literal or fails; it never looks it up.
                String literal = h.startsWith("[") ? h : "[" + h + "]";
                return InetAddress.getByName(literal).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    public GatewaySettings withHostPort(String h, int p) {
        return new GatewaySettings(h, p, path, separator, auth, rateLimit, allowedOrigins, allowedHosts, maxBodyBytes,
                sessionIdleTimeout, maxSessions, drainTimeout, watchConfig, limits, frontDoor);
    }

    public GatewaySettings withAuth(AuthSettings a) {
        return new GatewaySettings(host, port, path, separator, a, rateLimit, allowedOrigins, allowedHosts,
                maxBodyBytes, sessionIdleTimeout, maxSessions, drainTimeout, watchConfig, limits, frontDoor);
    }

    public GatewaySettings withLimits(ClientLimits l) {
        return new GatewaySettings(host, port, path, separator, auth, rateLimit, allowedOrigins, allowedHosts,
                maxBodyBytes, sessionIdleTimeout, maxSessions, drainTimeout, watchConfig, l, frontDoor);
    }

    public GatewaySettings withFrontDoor(FrontDoorSettings f) {
        return new GatewaySettings(host, port, path, separator, auth, rateLimit, allowedOrigins, allowedHosts,
                maxBodyBytes, sessionIdleTimeout, maxSessions, drainTimeout, watchConfig, limits, f);
    }
}
