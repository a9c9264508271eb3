package io.mcppool.gateway.auth;

/** The outcome of checking one request's credentials. */
public sealed interface AuthResult {

    record Allowed(ClientIdentity client) implements AuthResult {
    }

    /**
     * @param status          401 (no or bad credentials) or 403 (valid but not allowed here)
     * @param wwwAuthenticate the {@code WWW-Authenticate} header value for a 401
     * @param message         why, safe to show the client (never echoes the credential)
     */
    record Denied(int status, String wwwAuthenticate, String message) implements AuthResult {
    }
}
