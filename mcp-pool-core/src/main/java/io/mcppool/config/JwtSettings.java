package io.mcppool.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Gateway clients that present a JWT as their bearer token. The signature is checked with a shared secret
 * (HS256), a PEM public key or a JWKS file (RS256, ES256); expiry always, issuer and audience when given.
 *
 * @param issuer        the {@code iss} every token must carry
 * @param audience      a value the token's {@code aud} must contain
 * @param jwksFile      a JSON Web Key Set file (reread when it changes)
 * @param secret        an HS256 secret (give it by env: {@code secret: ${JWT_SECRET}})
 * @param publicKeyFile a PEM public key (RSA or EC)
 * @param algorithms    the accepted {@code alg} values
 * @param subjectClaim  the claim that names the client (its identity for rate limits and cache scope)
 * @param allowClaim    a claim holding the client's allow list (a list or a space-separated string); when a
 *                      token lacks it, {@code allow} applies
 * @param allow         the allow list of a token without {@code allowClaim}; empty: such a token sees nothing
 * @param clockSkew     tolerance on {@code exp} and {@code nbf}
 */
public record JwtSettings(Optional<String> issuer, Optional<String> audience, Optional<Path> jwksFile,
                          Optional<String> secret, Optional<Path> publicKeyFile, List<String> algorithms,
                          String subjectClaim, String allowClaim, List<String> allow, Duration clockSkew) {
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256", "HS256");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

    public JwtSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(jwksFile, "jwksFile");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(publicKeyFile, "publicKeyFile");
        algorithms = List.copyOf(algorithms);
        Objects.requireNonNull(subjectClaim, "subjectClaim");
        Objects.requireNonNull(allowClaim, "allowClaim");
        allow = List.copyOf(allow);
        Objects.requireNonNull(clockSkew, "clockSkew");
        if (jwksFile.isEmpty() && secret.isEmpty() && publicKeyFile.isEmpty()) {
            throw new IllegalArgumentException("jwt needs a key to check signatures: jwksFile, publicKeyFile or secret");
        }
    }

    /** As the record's own, with the secret hidden: configs get logged. */
    @Override
    public String toString() {
        return "JwtSettings[issuer=" + issuer + ", audience=" + audience + ", jwksFile=" + jwksFile + ", secret="
                + secret.map(s -> "***") + ", publicKeyFile=" + publicKeyFile + ", algorithms=" + algorithms
                + ", subjectClaim=" + subjectClaim + ", allowClaim=" + allowClaim + ", allow=" + allow
                + ", clockSkew=" + clockSkew + "]";
    }
}
