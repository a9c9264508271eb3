package io.mcppool.gateway.auth;

import io.mcppool.config.ApiKeySettings;
import io.mcppool.config.GatewaySettings;
import io.mcppool.config.JwtSettings;
import io.mcppool.config.RateLimit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Who a gateway request comes from, once authenticated: its name (the API key's name or the JWT's subject),
 * what it may use, its rate limit, and the credential that proved it. The name also scopes its cached results,
 * its quotas and its sticky upstream sessions; it is never sent upstream. Each request has its own: what a request
 * may use is decided by the credentials it carries, never by those that opened its session.
 *
 * @param anonymous  true while auth is off (loopback, or disabled by config)
 * @param credential what a client session opened with this identity is bound to
 */
public record ClientIdentity(String name, AccessPolicy access, RateLimit rateLimit, boolean anonymous,
                             Credential credential) {
    public ClientIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(credential, "credential");
    }

    /**
     * Whether a gateway with {@code settings} would still accept the credential of a client: after a reload, the
     * sessions of clients it does not accept end. An API key must still be configured under the same name; a JWT
     * client needs the same JWT settings for checking tokens (keys, issuer, audience, algorithms, subject claim:
     * changes to {@code allow} or {@code clockSkew} keep it); an anonymous client needs auth to be still off.
     */
    public static Predicate<ClientIdentity> admittedBy(GatewaySettings settings) {
        boolean required = Authenticators.required(settings);
        Map<String, String> keyNames = new HashMap<>();
        for (ApiKeySettings key : settings.auth().apiKeys()) {
            keyNames.put(key.sha256(), key.name());
        }
        Optional<JwtSettings> jwt = settings.auth().jwt().map(Credential::verification);
        return client -> switch (client.credential().kind()) {
            case ANONYMOUS -> !required;
            case NAMED -> true;
            case API_KEY -> client.name().equals(keyNames.get(client.credential().id()));
            case JWT -> jwt.isPresent() && jwt.get().equals(client.credential().jwt());
        };
    }

    /** An identity whose credential is its name alone (anonymous, the stdio host, tests). */
    public ClientIdentity(String name, AccessPolicy access, RateLimit rateLimit, boolean anonymous) {
        this(name, access, rateLimit, anonymous, anonymous ? Credential.ANONYMOUS : Credential.named(name));
    }

    /**
     * The credential a request proved its identity with, as far as a client session must tell one from another. A
     * session answers only to requests whose credential equals the one that opened it (and whose client name is the
     * same): an API key is itself; a JWT is its issuer and subject under the JWT settings that checked it (a client
     * refreshes its token during a session, and each token's own allow list applies to its requests). Its
     * {@code toString} shows the kind only: a key's hash is never logged.
     *
     * @param kind   what proved the identity
     * @param id     the key's SHA-256 in hex, the JWT's issuer and subject, or the client's name
     * @param jwt    the JWT settings that checked the token; null for the other kinds
     */
    public record Credential(Kind kind, String id, JwtSettings jwt) {
        public enum Kind { ANONYMOUS, NAMED, API_KEY, JWT }

        public static final Credential ANONYMOUS = new Credential(Kind.ANONYMOUS, "", null);

        public Credential {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
        }

        static Credential named(String name) {
            return new Credential(Kind.NAMED, name, null);
        }

        /** @param sha256Hex the key's SHA-256 in lower-case hex */
        public static Credential apiKey(String sha256Hex) {
            return new Credential(Kind.API_KEY, sha256Hex, null);
        }

        /** @param issuer the token's {@code iss}, or null */
        static Credential jwt(String issuer, String subject, JwtSettings settings) {
            // a length prefix keeps "a|b" + "c" apart from "a" + "b|c"
            String iss = issuer == null ? "" : issuer;
            return new Credential(Kind.JWT, iss.length() + ":" + iss + "|" + subject, verification(settings));
        }

        /**
         * The settings that decide whether a token is accepted and whom it names, without those that only say what
         * it may use or how late it may be: a reload that changes {@code allow} or {@code clockSkew} keeps the
         * sessions of JWT clients (each request's token decides what it may use), one that changes a key or the
         * issuer does not.
         */
        public static JwtSettings verification(JwtSettings s) {
            return new JwtSettings(s.issuer(), s.audience(), s.jwksFile(), s.secret(), s.publicKeyFile(),
                    s.algorithms(), s.subjectClaim(), "", java.util.List.of(), java.time.Duration.ZERO);
        }

        @Override
        public String toString() {
            return "Credential[" + kind + "]";
        }
    }
}
