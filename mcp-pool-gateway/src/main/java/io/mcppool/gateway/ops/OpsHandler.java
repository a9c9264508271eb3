package io.mcppool.gateway.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mcppool.McpPool;
import io.mcppool.cache.ResultCache;
import io.mcppool.protocol.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's operations endpoints, as one Jetty handler. It answers these paths (in its context) and returns
 * {@code false} for every other, so it goes in front of the MCP endpoint in a {@code Handler.Sequence}:
 *
 * <table>
 *   <tr><th>path</th><th>answer</th><th>access</th></tr>
 *   <tr><td>{@code GET /healthz}</td><td>200 {@code ok} while the process serves</td><td>open</td></tr>
 *   <tr><td>{@code GET /readyz}</td><td>200 or 503, JSON {@link Readiness}</td><td>open</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text 0.0.4; OpenMetrics when {@code Accept} asks</td><td>operators</td></tr>
 *   <tr><td>{@code GET /api/status}</td><td>JSON {@link StatusReport}</td><td>operators</td></tr>
 *   <tr><td>{@code POST /api/cache/clear?server=S&tool=T}</td><td>JSON; 404 for an unknown server</td><td>operators</td></tr>
 *   <tr><td>{@code GET /}</td><td>the HTML status page</td><td>operators</td></tr>
 * </table>
 *
 * <p><b>Operators</b>: the gateway's front door ({@code server.FrontDoor}) checks every request to these paths
 * before this handler sees it: {@code Host} and {@code Origin}, credentials, and for every path but {@code /healthz}
 * and {@code /readyz} the operator scope (anonymous while auth is off, else the allow-list entry
 * {@code mcp-pool:operator}). {@code /readyz} shows why it is not ready only to a request that passed the
 * {@code Host} and {@code Origin} check ({@link #GUARD_PASSED}); probes from elsewhere get the status alone. The
 * rules are in {@code docs/gateway-security.md}.
 *
 * <p>Every answer carries {@code Cache-Control: no-store}. Thread-safe; holds no state of its own besides what it
 * was given.
 */
public final class OpsHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(OpsHandler.class);

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final HttpField NO_STORE = new HttpField(HttpHeader.CACHE_CONTROL, "no-store");
    private static final HttpField NO_SNIFF = new HttpField("X-Content-Type-Options", "nosniff");

    /**
     * A request attribute the front door sets on {@code /readyz} and {@code /healthz}, which it lets through whatever
     * their {@code Host}: {@code Boolean.TRUE} when the {@code Host} and {@code Origin} check passed. When it is
     * {@code Boolean.FALSE}, {@code /readyz} answers its status and nothing of the servers behind it.
     */
    public static final String GUARD_PASSED = "io.mcppool.gateway.guardPassed";
    /** {@code Retry-After} of a {@code /readyz} 503: a probe asks again on its own schedule anyway. */
    static final String READYZ_RETRY_AFTER_SECONDS = "5";

    private final GatewayView gateway;
    private final PrometheusMeterRegistry registry;
    private final RecentErrors recentErrors;

    /**
     * @param registry     the registry the pool's {@code McpPoolMetrics} is bound to; {@code /metrics} scrapes it
     * @param recentErrors registered on the pool, for the status page
     */
    public OpsHandler(GatewayView gateway, PrometheusMeterRegistry registry, RecentErrors recentErrors) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.recentErrors = Objects.requireNonNull(recentErrors, "recentErrors");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        Route route = switch (path) {
            case "/healthz" -> Route.HEALTHZ;
            case "/readyz" -> Route.READYZ;
            case "/metrics" -> Route.METRICS;
            case "/api/status" -> Route.STATUS;
            case "/api/cache/clear" -> Route.CACHE_CLEAR;
            case "/" -> Route.PAGE;
            default -> null;
        };
        if (route == null) {
            return false;
        }
        response.getHeaders().add(NO_STORE);
        response.getHeaders().add(NO_SNIFF);
        String method = request.getMethod();
        boolean allowed = route == Route.CACHE_CLEAR ? "POST".equals(method) : "GET".equals(method) || "HEAD".equals(method);
        if (!allowed) {
            response.getHeaders().put(HttpHeader.ALLOW, route == Route.CACHE_CLEAR ? "POST" : "GET, HEAD");
            error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed on " + path);
            return true;
        }
        try {
            switch (route) {
                case HEALTHZ -> send(response, callback, HttpStatus.OK_200, TEXT, "ok\n");
                // Without a front door (the attribute absent) the handler stands alone and shows everything.
                case READYZ -> readyz(response, callback, !Boolean.FALSE.equals(request.getAttribute(GUARD_PASSED)));
                case METRICS -> metrics(request, response, callback);
                case STATUS -> json(response, callback, HttpStatus.OK_200, StatusReport.of(gateway, recentErrors).toJson());
                case CACHE_CLEAR -> clearCache(request, response, callback);
                case PAGE -> page(response, callback);
            }
        } catch (RuntimeException e) {
            log.warn("{} {} failed", method, path, e);
            error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "could not answer: " + e);
        }
        return true;
    }

    private enum Route {
        HEALTHZ, READYZ, METRICS, STATUS, CACHE_CLEAR, PAGE
    }

    // ------------------------------------------------------------------ endpoints

    /** @param details whether to say why it is not ready (server names and reasons), or only whether it is */
    private void readyz(Response response, Callback callback, boolean details) {
        Readiness r = Readiness.of(gateway);
        if (!r.ready()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, READYZ_RETRY_AFTER_SECONDS);
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("ready", r.ready());
        status.put("draining", r.draining());
        Object body = details ? r : status;
        json(response, callback, r.ready() ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503, body);
    }

    private void metrics(Request request, Response response, Callback callback) {
        String contentType = wantsOpenMetrics(request.getHeaders().get(HttpHeader.ACCEPT)) ? OPENMETRICS_TEXT
                : PROMETHEUS_TEXT;
        // The registry picks its writer by this content type: protobuf is never asked for, so the text is text.
        String text = registry.scrape(contentType);
        send(response, callback, HttpStatus.OK_200, contentType, text);
    }

    /** Whether the scraper lists OpenMetrics among what it accepts (Prometheus does, ahead of text 0.0.4). */
    static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text");
    }

    private void clearCache(Request request, Response response, Callback callback) {
        if (!sameOrigin(request)) {
            // A page on another site could otherwise make an operator's browser post here.
            error(response, callback, HttpStatus.FORBIDDEN_403, "cross-origin requests may not clear the cache");
            return;
        }
        Fields query = Request.extractQueryParameters(request);
        String server = blankToNull(query.getValue("server"));
        String tool = blankToNull(query.getValue("tool"));
        McpPool pool = gateway.pool();
        if (server == null && tool != null) {
            error(response, callback, HttpStatus.BAD_REQUEST_400, "tool needs server: /api/cache/clear?server=S&tool=T");
            return;
        }
        if (server != null && !pool.config().servers().containsKey(server)) {
            error(response, callback, HttpStatus.NOT_FOUND_404, "no server named '" + server + "'; configured: "
                    + String.join(", ", pool.config().servers().keySet()));
            return;
        }
        ResultCache cache;
        try {
            cache = pool.resultCache();
        } catch (UnsupportedOperationException e) {
            error(response, callback, HttpStatus.NOT_IMPLEMENTED_501, String.valueOf(e.getMessage()));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (server == null) {
            cache.invalidateAll();
            body.put("cleared", "all");
        } else if (tool == null) {
            cache.invalidate(server);
            body.put("cleared", "server");
            body.put("server", server);
        } else {
            cache.invalidate(server, tool);
            body.put("cleared", "tool");
            body.put("server", server);
            body.put("tool", tool);
        }
        log.info("result cache cleared: {}", body);
        json(response, callback, HttpStatus.OK_200, body);
    }

    private void page(Response response, Callback callback) {
        String html = StatusPage.render(StatusReport.of(gateway, recentErrors));
        response.getHeaders().put("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY);
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        send(response, callback, HttpStatus.OK_200, HTML, html);
    }

    // ------------------------------------------------------------------ access

    /** No {@code Origin} (curl, scripts), or one naming this very host and port (the status page itself). */
    private static boolean sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        int scheme = origin.indexOf("://");
        return host != null && scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
    }

    // ------------------------------------------------------------------ writing

    private static void json(Response response, Callback callback, int status, Object body) {
        String text;
        try {
            text = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON: " + e.getOriginalMessage(), e);
        }
        send(response, callback, status, JSON, text + "\n");
    }

    private static void error(Response response, Callback callback, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        json(response, callback, status, body);
    }

    private static void send(Response response, Callback callback, int status, String contentType, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
