package io.mcppool.gateway.auth;

import io.mcppool.config.AuthSettings;
import io.mcppool.config.GatewaySettings;
import java.time.Clock;

/** Builds the gateway's {@link Authenticator} from its settings. */
public final class Authenticators {
    /** The name of every request's client while auth is off and no token is given. */
    public static final String ANONYMOUS = "anonymous";
    /**
     * The entry of an allow list that makes its client an operator: it may use the status page, {@code /metrics} and
     * {@code /api/...}. Not a name pattern: {@code *} does not grant it, only the entry itself does. No tool, prompt
     * or server can have this name (a {@code :} is not allowed in them).
     */
    public static final String OPERATOR_SCOPE = "mcp-pool:operator";

    private Authenticators() {
    }

    /**
     * The authenticator for {@code settings}. Auth is required when {@code gateway.auth.mode} says so, or in
     * {@code auto} mode when the gateway binds anything but a loopback address or when keys or JWTs are
     * configured (see {@link AuthSettings#required(boolean)}). Otherwise every request without a bearer token is
     * the client {@value #ANONYMOUS} with {@code auth.anonymousAllow} and the gateway's rate limit.
     *
     * @throws IllegalArgumentException with the setting to fix, when auth is required but no key or JWT is
     *                                  configured, or a key, PEM or JWKS file cannot be used
     */
    public static Authenticator from(GatewaySettings settings) {
        return from(settings, Clock.systemUTC());
    }

    /**
     * Whether {@code client} may use the operations endpoints: it is anonymous (auth is off: the gateway is reached
     * on loopback, or its auth is disabled on purpose), or its allow list holds {@link #OPERATOR_SCOPE}.
     */
    public static boolean isOperator(ClientIdentity client) {
        return client.anonymous() || client.access().patterns().contains(OPERATOR_SCOPE);
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme in any case); null for another scheme. */
    public static String bearerToken(String authorization) {
        return authorization == null ? null : BearerAuthenticator.bearerToken(authorization);
    }

    /** Whether requests to a gateway with these settings must carry credentials. */
    public static boolean required(GatewaySettings settings) {
        return settings.auth().required(HostNames.isLoopbackBind(settings.host()));
    }

    static Authenticator from(GatewaySettings settings, Clock clock) {
        AuthSettings auth = settings.auth();
        boolean required = required(settings);
        ApiKeys apiKeys = new ApiKeys(auth.apiKeys(), settings.rateLimit());
        JwtVerifier jwt = auth.jwt().map(j -> new JwtVerifier(j, settings.rateLimit(), clock)).orElse(null);
        if (required && apiKeys.isEmpty() && jwt == null) {
            throw new IllegalArgumentException(auth.mode() == AuthSettings.Mode.REQUIRED
                    ? "gateway.auth.mode is 'required' but no gateway.auth.apiKeys or gateway.auth.jwt is configured"
                    : "gateway.host '" + settings.host() + "' is not a loopback address, so auth is required, but no "
                            + "gateway.auth.apiKeys or gateway.auth.jwt is configured; add some, or set "
                            + "gateway.auth.mode: disabled to serve without auth");
        }
        ClientIdentity anonymous = new ClientIdentity(ANONYMOUS, AccessPolicy.of(auth.anonymousAllow()),
                settings.rateLimit(), true);
        return new BearerAuthenticator(required, new AuthResult.Allowed(anonymous), apiKeys, jwt);
    }
}
