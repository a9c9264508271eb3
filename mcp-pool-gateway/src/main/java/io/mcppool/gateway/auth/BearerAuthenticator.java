package io.mcppool.gateway.auth;

import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} against the API keys, then (for a token shaped like a JWT) the
 * JWT settings. While auth is not required, a request without a bearer token is the anonymous client, and one
 * with a token is still checked when keys or JWTs are configured: a client that means to authenticate gets
 * its own identity, or a 401 that tells it its token is wrong, never a silent downgrade.
 */
final class BearerAuthenticator implements Authenticator {
    static final String CHALLENGE = "Bearer realm=\"mcp-pool\"";
    private static final AuthResult.Denied MISSING = new AuthResult.Denied(401, CHALLENGE,
            "authentication required: send Authorization: Bearer <token>");
    private static final AuthResult.Denied NOT_BEARER = new AuthResult.Denied(401, CHALLENGE,
            "the gateway accepts Authorization: Bearer <token> only");

    private final boolean required;
    private final AuthResult.Allowed anonymous;
    private final ApiKeys apiKeys;
    /** Null when no JWT settings are given. */
    private final JwtVerifier jwt;
    private final String unknownToken;

    BearerAuthenticator(boolean required, AuthResult.Allowed anonymous, ApiKeys apiKeys, JwtVerifier jwt) {
        this.required = required;
        this.anonymous = anonymous;
        this.apiKeys = apiKeys;
        this.jwt = jwt;
        this.unknownToken = jwt == null ? "unknown API key"
                : apiKeys.isEmpty() ? "not a JWT" : "neither a known API key nor a JWT";
    }

    @Override
    public AuthResult authenticate(Optional<String> authorization) {
        String header = authorization.orElse("");
        if (header.isBlank()) {
            return required ? MISSING : anonymous;
        }
        String token = bearerToken(header);
        if (token == null) {
            return required ? NOT_BEARER : anonymous;
        }
        if (!required && apiKeys.isEmpty() && jwt == null) {
            // nothing to check it against: the token is meant for someone else
            return anonymous;
        }
        if (!isB64Token(token)) {
            return invalid("malformed bearer token");
        }
        byte[] sha256 = ApiKeys.sha256(token);
        AuthResult.Allowed key = apiKeys.find(sha256);
        if (key != null) {
            return key;
        }
        if (jwt != null && looksLikeJwt(token)) {
            try {
                return new AuthResult.Allowed(jwt.verify(token, sha256));
            } catch (JwtVerifier.Rejected e) {
                return invalid(e.getMessage());
            }
        }
        return invalid(unknownToken);
    }

    /** The token after {@code Bearer } (scheme in any case), or null for another scheme. */
    static String bearerToken(String header) {
        String h = header.strip();
        if (!h.regionMatches(true, 0, "Bearer", 0, 6) || (h.length() > 6 && h.charAt(6) != ' ')) {
            return null;
        }
        return h.substring(6).strip();
    }

    /** RFC 6750's {@code b64token}: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
    private static boolean isB64Token(String token) {
        int end = token.length();
        while (end > 0 && token.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = token.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second > 0 && token.indexOf('.', second + 1) < 0;
    }

    /** A 401 in RFC 6750's form; the description is one of our texts, quoted safely. */
    private static AuthResult.Denied invalid(String description) {
        String safe = description.replace('"', '\'').replace('\\', '/');
        return new AuthResult.Denied(401,
                CHALLENGE + ", error=\"invalid_token\", error_description=\"" + safe + "\"",
                "invalid token: " + safe);
    }
}
