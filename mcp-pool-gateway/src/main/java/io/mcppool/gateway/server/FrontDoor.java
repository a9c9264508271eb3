package io.mcppool.gateway.server;

import io.mcppool.gateway.auth.AuthFailures;
import io.mcppool.gateway.auth.AuthResult;
import io.mcppool.gateway.auth.Authenticators;
import io.mcppool.gateway.auth.ClientIdentity;
import io.mcppool.gateway.auth.RateLimiter;
import io.mcppool.gateway.auth.RequestGuard;
import io.mcppool.gateway.mcp.GatewayEvents;
import io.mcppool.gateway.ops.OpsHandler;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The one request guard in front of every endpoint of the gateway. In order, the first check that fails answers:
 * <ol>
 * <li>{@code Host} and {@code Origin} ({@link RequestGuard}, DNS rebinding): 403. {@code /healthz} and
 * {@code /readyz} are let through whatever they say (probes send the pod's address), but {@code /readyz} then shows
 * its status alone ({@link OpsHandler#GUARD_PASSED}).</li>
 * <li>The body: a {@code Content-Length} over {@code gateway.maxBodySize} gets 413 (the MCP endpoint also stops
 * reading a chunked body there).</li>
 * <li>CORS, on the MCP endpoint: a preflight ({@code OPTIONS}) from an origin listed in
 * {@code gateway.allowedOrigins} gets 204 with the methods and headers MCP needs; every answer to such an origin
 * carries {@code Access-Control-Allow-Origin} and exposes {@code Mcp-Session-Id}. A preflight from any other origin
 * gets 403.</li>
 * <li>The failed-auth throttle ({@link AuthFailures}): 429 with {@code Retry-After}, credentials unchecked.</li>
 * <li>Credentials: 401 with {@code WWW-Authenticate}. {@code /healthz} and {@code /readyz} need none.</li>
 * <li>The operator scope, on every other path but the MCP endpoint: 403 unless
 * {@link Authenticators#isOperator}.</li>
 * <li>The client's rate limit: one token ({@link McpHttpHandler} takes one more per further message of a batch);
 * 429 with {@code Retry-After}.</li>
 * </ol>
 * What passes goes to the next handler with its client in the request attribute {@link #CLIENT}, and with a response
 * that puts a {@code Retry-After} on any 429 or 503 that lacks one ({@link RetryAfter}).
 */
public final class FrontDoor extends Handler.Wrapper {
    /** The request attribute holding the request's {@link ClientIdentity} once it passed. */
    static final String CLIENT = FrontDoor.class.getName() + ".client";
    static final String CORS_METHODS = "GET, POST, DELETE";
    static final String CORS_HEADERS = "Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, "
            + "Last-Event-ID";
    static final String CORS_EXPOSED = "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate, Retry-After";
    /** How long a browser may keep a preflight's answer. */
    static final String CORS_MAX_AGE_SECONDS = "600";

    private enum Route { MCP, PROBE, OPERATOR }

    private final String mcpPath;
    private final long maxBodyBytes;
    private final AuthFailures authFailures;
    private final GatewayEvents events;
    private volatile RequestChecks checks;

    public FrontDoor(Handler next, String mcpPath, long maxBodyBytes, RequestChecks checks, AuthFailures authFailures,
                     GatewayEvents events) {
        super(next);
        this.mcpPath = mcpPath;
        this.maxBodyBytes = maxBodyBytes;
        this.checks = checks;
        this.authFailures = authFailures;
        this.events = events;
    }

    /** New credentials, allow lists, origins and rate limits (a reload): the next request on is checked by them. */
    void checks(RequestChecks next) {
        this.checks = next;
    }

    /** The checks in force. */
    RequestChecks checks() {
        return checks;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestChecks checks = this.checks;
        Route route = route(Request.getPathInContext(request));
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        Optional<RequestGuard.Rejection> rejected = checks.guard().check(request.getHeaders().get(HttpHeader.HOST),
                origin);
        if (route == Route.PROBE) {
            request.setAttribute(OpsHandler.GUARD_PASSED, rejected.isEmpty());
            return next(request, response, callback);
        }
        if (rejected.isPresent()) {
            return refuse(route, response, callback, HttpStatus.FORBIDDEN_403, rejected.get().message());
        }
        long length = request.getLength();
        if (length > maxBodyBytes) {
            return refuse(route, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "Request body of " + length
                    + " bytes is over the limit of " + maxBodyBytes + " (gateway.maxBodySize)");
        }
        boolean cors = route == Route.MCP && checks.guard().isListedOrigin(origin);
        if (route == Route.MCP && "OPTIONS".equals(request.getMethod())) {
            return preflight(response, callback, origin, cors);
        }
        if (cors) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, CORS_EXPOSED);
            response.getHeaders().add(HttpHeader.VARY, "Origin");
        }

        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String address = remoteAddress(request);
        String addressKey = AuthFailures.addressKey(remoteInetAddress(request));
        String token = Authenticators.bearerToken(authorization);
        String tokenKey = token == null || token.isEmpty() ? null : AuthFailures.tokenKey(token);
        long throttledMillis = authFailures.throttled(addressKey, tokenKey);
        if (throttledMillis > 0) {
            events.authFailed(GatewayEvents.THROTTLED);
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(RateLimiter.retryAfterSeconds(throttledMillis)));
            return refuse(route, response, callback, HttpStatus.TOO_MANY_REQUESTS_429,
                    "Too many failed authentications from this address or with this token; try again later");
        }
        AuthResult auth = checks.auth().authenticate(Optional.ofNullable(authorization));
        if (auth instanceof AuthResult.Denied denied) {
            if (isInvalidCredential(denied)) {
                events.authFailed(GatewayEvents.INVALID_TOKEN);
                authFailures.failed(addressKey, tokenKey, address, denied.message());
            } else {
                events.authFailed(GatewayEvents.MISSING);
            }
            if (denied.wwwAuthenticate() != null && !denied.wwwAuthenticate().isEmpty()) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, denied.wwwAuthenticate());
            }
            return refuse(route, response, callback, denied.status(), denied.message());
        }
        ClientIdentity client = ((AuthResult.Allowed) auth).client();
        if (route == Route.OPERATOR && !Authenticators.isOperator(client)) {
            return refuse(route, response, callback, HttpStatus.FORBIDDEN_403, "client '" + client.name()
                    + "' may not use the operations endpoints: that needs '" + Authenticators.OPERATOR_SCOPE
                    + "' in its allow list");
        }
        long waitMillis = checks.rateLimiter().tryAcquire(client);
        if (waitMillis > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(RateLimiter.retryAfterSeconds(waitMillis)));
            return refuse(route, response, callback, HttpStatus.TOO_MANY_REQUESTS_429,
                    "Rate limit exceeded for client '" + client.name() + "'");
        }
        request.setAttribute(CLIENT, client);
        return next(request, response, callback);
    }

    private boolean next(Request request, Response response, Callback callback) throws Exception {
        Handler next = getHandler();
        RetryAfter wrapped = new RetryAfter(request, response);
        if (next != null && next.handle(request, wrapped, callback)) {
            return true;
        }
        Response.writeError(request, wrapped, callback, HttpStatus.NOT_FOUND_404);
        return true;
    }

    private Route route(String path) {
        if (path.equals(mcpPath) || path.equals(mcpPath + "/")) {
            return Route.MCP;
        }
        return path.equals("/healthz") || path.equals("/readyz") ? Route.PROBE : Route.OPERATOR;
    }

    /**
     * A CORS preflight to the MCP endpoint. It carries no credentials (browsers never send them on one), so it is
     * answered before auth; what it admits is only that the browser may send the real request, which is then checked
     * as any other.
     */
    private static boolean preflight(Response response, Callback callback, String origin, boolean listed) {
        if (origin != null && !listed) {
            return McpHttpHandler.error(response, callback, HttpStatus.FORBIDDEN_403, JsonRpcError.INVALID_REQUEST,
                    "Origin '" + origin + "' is not in gateway.allowedOrigins: cross-origin requests are not allowed");
        }
        if (listed) {
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, CORS_METHODS);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, CORS_HEADERS);
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, CORS_MAX_AGE_SECONDS);
            response.getHeaders().add(HttpHeader.VARY, "Origin");
        }
        response.getHeaders().put(HttpHeader.ALLOW, CORS_METHODS + ", OPTIONS");
        response.setStatus(HttpStatus.NO_CONTENT_204);
        EmptyResponse.end(response, callback);
        return true;
    }

    /**
     * A credential that was checked and refused: what the throttle counts. A request without one (or with another
     * scheme) costs nothing to refuse and guesses nothing; RFC 6750 names the refused kind {@code invalid_token}.
     */
    private static boolean isInvalidCredential(AuthResult.Denied denied) {
        return denied.wwwAuthenticate() != null && denied.wwwAuthenticate().contains("error=\"invalid_token\"");
    }

    private static InetAddress remoteInetAddress(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    private static String remoteAddress(Request request) {
        InetAddress address = remoteInetAddress(request);
        return address == null ? "an unknown address" : address.getHostAddress();
    }

    /** A refusal in the shape of the endpoint: a JSON-RPC error for MCP, the operations' JSON error for the others. */
    private static boolean refuse(Route route, Response response, Callback callback, int status, String message) {
        if (route == Route.MCP) {
            return McpHttpHandler.error(response, callback, status, JsonRpcError.INVALID_REQUEST, message);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        byte[] bytes = (Json.write(Json.toTree(body)) + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
