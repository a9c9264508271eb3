package io.mcppool.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.mcppool.config.JwtSettings;
import io.mcppool.config.RateLimit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks JWT bearer tokens with Nimbus JOSE+JWT: the signature with a key of the right type for the token's
 * {@code alg} (an RSA or EC public key never serves as an HMAC secret, so the "HS256 signed with the public
 * key" confusion fails), {@code alg} among the accepted ones ({@code none} never is), then {@code exp}
 * (required), {@code nbf}, {@code iss} and {@code aud}. Messages are fixed texts: nothing of the token is
 * echoed.
 */
final class JwtVerifier {
    /** What the JDK can verify without extra providers. */
    private static final Set<JWSAlgorithm> SUPPORTED = Set.of(
            JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512,
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** How long a token that passed is trusted before its signature is checked again. */
    static final Duration RECHECK_AFTER = Duration.ofSeconds(60);
    /** Tokens trusted at once; beyond this (after dropping expired ones), new tokens are checked every time. */
    static final int MAX_CHECKED_TOKENS = 4096;
    /** Nimbus' HMAC verifier needs at least 256 bits. */
    private static final int MIN_SECRET_BYTES = 32;

    private final JwtSettings settings;
    private final RateLimit rateLimit;
    private final Clock clock;
    private final Set<JWSAlgorithm> accepted;
    private final AccessPolicy defaultAccess;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final ConcurrentHashMap<ByteBuffer, Checked> checked = new ConcurrentHashMap<>();

    /** A token that passed, and until when it is trusted without another check. */
    private record Checked(byte[] sha256, ClientIdentity client, Instant until) {
    }

    /** A claim check failed; its message is one of ours, safe to show. */
    private static final class ClaimRejected extends BadJWTException {
        ClaimRejected(String message) {
            super(message);
        }
    }

    /** An answer to send as it is. */
    static final class Rejected extends Exception {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    /** @throws IllegalArgumentException when the settings cannot check any token (no usable key or algorithm) */
    JwtVerifier(JwtSettings settings, RateLimit rateLimit, Clock clock) {
        this.settings = settings;
        this.rateLimit = rateLimit;
        this.clock = clock;
        this.defaultAccess = AccessPolicy.of(settings.allow());

        List<JWK> fixedKeys = new ArrayList<>();
        settings.secret().ifPresent(secret -> {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("gateway.auth.jwt.secret is " + bytes.length
                        + " bytes; HMAC secrets need at least " + MIN_SECRET_BYTES
                        + " (e.g. 'openssl rand -base64 48')");
            }
            fixedKeys.add(new OctetSequenceKey.Builder(bytes).build());
        });
        settings.publicKeyFile().ifPresent(file -> fixedKeys.addAll(PemKeys.read(file)));

        boolean hmacKey = settings.secret().isPresent();
        boolean publicKeys = settings.publicKeyFile().isPresent() || settings.jwksFile().isPresent();
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String name : settings.algorithms()) {
            JWSAlgorithm algorithm = JWSAlgorithm.parse(name.trim().toUpperCase(Locale.ROOT));
            if (!SUPPORTED.contains(algorithm)) {
                throw new IllegalArgumentException("gateway.auth.jwt.algorithms: '" + name + "' is not accepted; "
                        + "use " + SUPPORTED.stream().map(JWSAlgorithm::getName).sorted().toList());
            }
            // an algorithm without a key of its type could never pass: leave it out
            boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(algorithm);
            if (hmac ? hmacKey : publicKeys) {
                algorithms.add(algorithm);
            }
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("gateway.auth.jwt: none of the algorithms " + settings.algorithms()
                    + " has a key: HS* need 'secret', RS*/PS*/ES* need 'publicKeyFile' or 'jwksFile'");
        }
        this.accepted = Set.copyOf(algorithms);

        processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new VerificationKeys(fixedKeys, settings.jwksFile(), accepted));
        // plain JWTs and OAuth access tokens (RFC 9068); other types are for other purposes
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT,
                new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        processor.setJWTClaimsSetVerifier((claims, context) -> verifyClaims(claims));
    }

    /**
     * The client the token names. A token that passed is taken on trust, by its SHA-256, until it expires or
     * for {@link #RECHECK_AFTER} at most (so a key removed from the JWKS file stops working within that time):
     * a client sends the same token with every request, and an ES256 check costs far more than a hash lookup.
     *
     * @param sha256 the token's SHA-256 (the caller has it already, from the API key lookup)
     */
    ClientIdentity verify(String token, byte[] sha256) throws Rejected {
        ByteBuffer key = ByteBuffer.wrap(sha256);
        Instant now = clock.instant();
        Checked hit = checked.get(key);
        if (hit != null) {
            if (now.isBefore(hit.until) && MessageDigest.isEqual(hit.sha256, sha256)) {
                return hit.client;
            }
            checked.remove(key, hit);
        }
        Checked fresh = check(token, sha256, now);
        if (checked.size() >= MAX_CHECKED_TOKENS) {
            checked.values().removeIf(c -> !now.isBefore(c.until));
        }
        if (checked.size() < MAX_CHECKED_TOKENS) {
            checked.put(key, fresh);
        }
        return fresh.client;
    }

    private Checked check(String token, byte[] sha256, Instant now) throws Rejected {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new Rejected("malformed token");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new Rejected("unsigned and encrypted tokens are not accepted");
        }
        if (!accepted.contains(signed.getHeader().getAlgorithm())) {
            throw new Rejected("token algorithm is not accepted");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (ClaimRejected e) {
            throw new Rejected(e.getMessage());
        } catch (BadJOSEException e) {
            // bad signature, no key for the token's kid, wrong typ: to the client they are all one
            throw new Rejected("signature is not valid");
        } catch (JOSEException e) {
            throw new Rejected("signature could not be checked");
        }
        String subject = subject(claims);
        ClientIdentity client = new ClientIdentity("jwt:" + subject, access(claims), rateLimit, false,
                ClientIdentity.Credential.jwt(claims.getIssuer(), subject, settings));
        Instant expires = claims.getExpirationTime().toInstant().plus(settings.clockSkew());
        Instant recheck = now.plus(RECHECK_AFTER);
        return new Checked(sha256, client, expires.isBefore(recheck) ? expires : recheck);
    }

    private void verifyClaims(JWTClaimsSet claims) throws BadJWTException {
        Instant now = clock.instant();
        Duration skew = settings.clockSkew();
        Date expiry = claims.getExpirationTime();
        if (expiry == null) {
            throw new ClaimRejected("token has no expiry (exp)");
        }
        if (!now.isBefore(expiry.toInstant().plus(skew))) {
            throw new ClaimRejected("token expired");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.isBefore(notBefore.toInstant().minus(skew))) {
            throw new ClaimRejected("token not valid yet (nbf)");
        }
        if (settings.issuer().isPresent() && !settings.issuer().get().equals(claims.getIssuer())) {
            throw new ClaimRejected("token issuer is not accepted");
        }
        if (settings.audience().isPresent()
                && (claims.getAudience() == null || !claims.getAudience().contains(settings.audience().get()))) {
            throw new ClaimRejected("token audience is not accepted");
        }
    }

    private String subject(JWTClaimsSet claims) throws Rejected {
        Object value = claims.getClaim(settings.subjectClaim());
        if ((value instanceof String s && !s.isBlank()) || value instanceof Number) {
            return value.toString();
        }
        throw new Rejected("token has no '" + settings.subjectClaim() + "' claim naming the client");
    }

    private AccessPolicy access(JWTClaimsSet claims) throws Rejected {
        Object value = claims.getClaim(settings.allowClaim());
        if (value == null) {
            return defaultAccess;
        }
        if (value instanceof String s) {
            String trimmed = s.strip();
            return AccessPolicy.of(trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+")));
        }
        if (value instanceof List<?> list) {
            List<String> patterns = new ArrayList<>(list.size());
            for (Object element : list) {
                if (!(element instanceof String pattern)) {
                    throw new Rejected("claim '" + settings.allowClaim() + "' holds a value that is not a string");
                }
                patterns.add(pattern);
            }
            return AccessPolicy.of(patterns);
        }
        throw new Rejected("claim '" + settings.allowClaim() + "' is neither a list nor a space-separated string");
    }
}
