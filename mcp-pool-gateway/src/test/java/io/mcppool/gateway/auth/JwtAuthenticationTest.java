package io.mcppool.gateway.auth;

import static io.mcppool.gateway.auth.ApiKeyAuthenticationTest.gateway;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.mcppool.config.ApiKeySettings;
import io.mcppool.config.AuthSettings;
import io.mcppool.config.JwtSettings;
import io.mcppool.config.RateLimit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtAuthenticationTest {
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final String ISSUER = "https://idp.example.com";
    private static final String AUDIENCE = "mcp-pool";
    private static final String SECRET = "a-shared-hmac-secret-of-at-least-32-bytes!";

    private static RSAKey rsa;
    private static RSAKey otherRsa;
    private static ECKey ec;

    private final MovableClock clock = new MovableClock(NOW);

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        otherRsa = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    }

    // ---- settings and tokens

    private static JwtSettings jwt(Optional<Path> jwks, Optional<String> secret, Optional<Path> pem,
                                   List<String> algorithms) {
        return new JwtSettings(Optional.of(ISSUER), Optional.of(AUDIENCE), jwks, secret, pem, algorithms, "sub",
                "mcp_tools", List.of("files__*"), JwtSettings.DEFAULT_CLOCK_SKEW);
    }

    private Authenticator authenticator(JwtSettings jwt) {
        AuthSettings auth = new AuthSettings(AuthSettings.Mode.AUTO, List.of(), Optional.of(jwt), List.of("*"));
        return Authenticators.from(gateway("0.0.0.0", auth), clock);
    }

    private Path pem(PublicKey key) throws Exception {
        Path file = Files.createTempFile(dir, "key", ".pem");
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
        return file;
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().subject("alice").issuer(ISSUER).audience(AUDIENCE)
                .issueTime(Date.from(NOW.minusSeconds(60))).expirationTime(Date.from(NOW.plusSeconds(300)));
    }

    private static String sign(JWSAlgorithm alg, JWSSigner signer, String kid, JWTClaimsSet claims)
            throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        return sign(JWSAlgorithm.RS256, new RSASSASigner(key), key.getKeyID(), claims);
    }

    private static String hs256(String secret, JWTClaimsSet claims) throws Exception {
        return sign(JWSAlgorithm.HS256, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), null, claims);
    }

    private static Optional<String> bearer(String token) {
        return Optional.of("Bearer " + token);
    }

    private static void assertAllowed(AuthResult result, Consumer<ClientIdentity> client) {
        assertThat(result).isInstanceOfSatisfying(AuthResult.Allowed.class, a -> client.accept(a.client()));
    }

    private static void assertInvalidToken(AuthResult result, String description, String token) {
        assertThat(result).isInstanceOfSatisfying(AuthResult.Denied.class, denied -> {
            assertThat(denied.status()).isEqualTo(401);
            assertThat(denied.wwwAuthenticate()).isEqualTo("Bearer realm=\"mcp-pool\", error=\"invalid_token\", "
                    + "error_description=\"" + description + "\"");
            assertThat(denied.message()).doesNotContain(token);
        });
    }

    // ---- good tokens

    @Test
    void hs256WithTheSharedSecret() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                JwtSettings.DEFAULT_ALGORITHMS));

        assertAllowed(auth.authenticate(bearer(hs256(SECRET, claims().build()))), client -> {
            assertThat(client.name()).isEqualTo("jwt:alice");
            assertThat(client.anonymous()).isFalse();
            assertThat(client.rateLimit()).isEqualTo(new RateLimit(50, 100));
            assertThat(client.access().patterns()).containsExactly("files__*");
        });
        String otherSecret = hs256(SECRET.toUpperCase(), claims().build());
        assertInvalidToken(auth.authenticate(bearer(otherSecret)), "signature is not valid", otherSecret);
    }

    @Test
    void rs256WithAPemPublicKey() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.empty(),
                Optional.of(pem(rsa.toRSAPublicKey())), JwtSettings.DEFAULT_ALGORITHMS));

        assertAllowed(auth.authenticate(bearer(rs256(rsa, claims().build()))),
                client -> assertThat(client.name()).isEqualTo("jwt:alice"));
        String forged = rs256(otherRsa, claims().build());
        assertInvalidToken(auth.authenticate(bearer(forged)), "signature is not valid", forged);
    }

    @Test
    void es256WithAPemPublicKeyAndWithAJwksFile() throws Exception {
        String token = sign(JWSAlgorithm.ES256, new ECDSASigner(ec), ec.getKeyID(), claims().build());

        Authenticator withPem = authenticator(jwt(Optional.empty(), Optional.empty(),
                Optional.of(pem(ec.toECPublicKey())), List.of("ES256")));
        assertAllowed(withPem.authenticate(bearer(token)), client -> assertThat(client.name()).isEqualTo("jwt:alice"));

        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(ec.toPublicJWK(), rsa.toPublicJWK())).toString());
        Authenticator withJwks = authenticator(jwt(Optional.of(jwks), Optional.empty(), Optional.empty(),
                List.of("ES256", "RS256")));
        assertAllowed(withJwks.authenticate(bearer(token)), client -> assertThat(client.name()).isEqualTo("jwt:alice"));
        assertAllowed(withJwks.authenticate(bearer(rs256(rsa, claims().build()))), client -> { });
    }

    // ---- claims

    @Test
    void expiryIsRequiredAndCheckedWithTheClockSkew() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));

        String expired = hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(31))).build());
        assertInvalidToken(auth.authenticate(bearer(expired)), "token expired", expired);

        String withinSkew = hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(29))).build());
        assertThat(auth.authenticate(bearer(withinSkew))).isInstanceOf(AuthResult.Allowed.class);

        String noExpiry = hs256(SECRET, claims().expirationTime(null).build());
        assertInvalidToken(auth.authenticate(bearer(noExpiry)), "token has no expiry (exp)", noExpiry);

        String notYet = hs256(SECRET, claims().notBeforeTime(Date.from(NOW.plusSeconds(60))).build());
        assertInvalidToken(auth.authenticate(bearer(notYet)), "token not valid yet (nbf)", notYet);
        String nbfWithinSkew = hs256(SECRET, claims().notBeforeTime(Date.from(NOW.plusSeconds(20))).build());
        assertThat(auth.authenticate(bearer(nbfWithinSkew))).isInstanceOf(AuthResult.Allowed.class);
    }

    @Test
    void issuerAndAudienceMustMatch() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));

        String otherIssuer = hs256(SECRET, claims().issuer("https://evil.example.com").build());
        assertInvalidToken(auth.authenticate(bearer(otherIssuer)), "token issuer is not accepted", otherIssuer);
        String noIssuer = hs256(SECRET, claims().issuer(null).build());
        assertInvalidToken(auth.authenticate(bearer(noIssuer)), "token issuer is not accepted", noIssuer);

        String otherAudience = hs256(SECRET, claims().audience("another-api").build());
        assertInvalidToken(auth.authenticate(bearer(otherAudience)), "token audience is not accepted",
                otherAudience);
        String oneOfSeveral = hs256(SECRET, claims().audience(List.of("another-api", AUDIENCE)).build());
        assertThat(auth.authenticate(bearer(oneOfSeveral))).isInstanceOf(AuthResult.Allowed.class);
    }

    @Test
    void theSubjectClaimNamesTheClient() throws Exception {
        JwtSettings byClientId = new JwtSettings(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(SECRET), Optional.empty(), List.of("HS256"), "client_id", "mcp_tools", List.of(),
                Duration.ZERO);
        Authenticator auth = authenticator(byClientId);

        assertAllowed(auth.authenticate(bearer(hs256(SECRET, claims().claim("client_id", "svc-7").build()))),
                client -> {
                    assertThat(client.name()).isEqualTo("jwt:svc-7");
                    assertThat(client.access().allows("files__read")).isFalse();   // empty default allow
                });
        String noClientId = hs256(SECRET, claims().build());
        assertInvalidToken(auth.authenticate(bearer(noClientId)), "token has no 'client_id' claim naming the client",
                noClientId);
    }

    @Test
    void theAllowClaimAsAListOrAsASpaceSeparatedString() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));

        assertAllowed(auth.authenticate(bearer(hs256(SECRET,
                claims().claim("mcp_tools", List.of("search__*", "memory__read_graph")).build()))), client -> {
                    assertThat(client.access().patterns()).containsExactly("search__*", "memory__read_graph");
                    assertThat(client.access().allows("search__query")).isTrue();
                    assertThat(client.access().allows("files__read")).isFalse();
                });
        assertAllowed(auth.authenticate(bearer(hs256(SECRET,
                claims().claim("mcp_tools", " search__*  memory__read_graph ").build()))),
                client -> assertThat(client.access().patterns()).containsExactly("search__*", "memory__read_graph"));
        assertAllowed(auth.authenticate(bearer(hs256(SECRET, claims().claim("mcp_tools", "").build()))),
                client -> assertThat(client.access().allows("files__read")).isFalse());

        String badClaim = hs256(SECRET, claims().claim("mcp_tools", 42).build());
        assertInvalidToken(auth.authenticate(bearer(badClaim)),
                "claim 'mcp_tools' is neither a list nor a space-separated string", badClaim);
        String badElement = hs256(SECRET, claims().claim("mcp_tools", List.of("a", 1)).build());
        assertInvalidToken(auth.authenticate(bearer(badElement)),
                "claim 'mcp_tools' holds a value that is not a string", badElement);
    }

    // ---- attacks

    @Test
    void unsignedTokensAreRefused() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));

        String none = new PlainJWT(claims().build()).serialize();
        assertInvalidToken(auth.authenticate(bearer(none)), "unsigned and encrypted tokens are not accepted", none);

        // a real token's header swapped for alg none, signature kept
        String real = hs256(SECRET, claims().build());
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
        String swapped = header + real.substring(real.indexOf('.'));
        assertThat(auth.authenticate(bearer(swapped))).isInstanceOfSatisfying(AuthResult.Denied.class,
                denied -> assertThat(denied.status()).isEqualTo(401));
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyIsRefused() throws Exception {
        Path pemFile = pem(rsa.toRSAPublicKey());
        String pemText = Files.readString(pemFile);
        JWTClaimsSet claims = claims().build();
        String withPemText = hs256(pemText, claims);
        String withDer = sign(JWSAlgorithm.HS256, new MACSigner(rsa.toRSAPublicKey().getEncoded()), null, claims);

        // the usual setup: only the RSA key, HS256 left in the default list
        Authenticator rsaOnly = authenticator(jwt(Optional.empty(), Optional.empty(), Optional.of(pemFile),
                JwtSettings.DEFAULT_ALGORITHMS));
        assertInvalidToken(rsaOnly.authenticate(bearer(withPemText)), "token algorithm is not accepted", withPemText);
        assertInvalidToken(rsaOnly.authenticate(bearer(withDer)), "token algorithm is not accepted", withDer);

        // a secret configured too: the public key still is no HMAC key
        Authenticator both = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.of(pemFile),
                JwtSettings.DEFAULT_ALGORITHMS));
        assertInvalidToken(both.authenticate(bearer(withPemText)), "signature is not valid", withPemText);
        assertInvalidToken(both.authenticate(bearer(withDer)), "signature is not valid", withDer);
        assertThat(both.authenticate(bearer(rs256(rsa, claims)))).isInstanceOf(AuthResult.Allowed.class);

        // a JWKS with the RSA key: HS256 is not accepted either
        Path jwks = dir.resolve("rsa.json");
        Files.writeString(jwks, new JWKSet(rsa.toPublicJWK()).toString());
        Authenticator fromJwks = authenticator(jwt(Optional.of(jwks), Optional.empty(), Optional.empty(),
                JwtSettings.DEFAULT_ALGORITHMS));
        String withJwkN = hs256(rsa.toPublicJWK().toJSONString(), claims);
        assertInvalidToken(fromJwks.authenticate(bearer(withJwkN)), "token algorithm is not accepted", withJwkN);
    }

    @Test
    void anAlgorithmNotInTheListIsRefusedEvenWithAValidSignature() throws Exception {
        Authenticator rs256Only = authenticator(jwt(Optional.empty(), Optional.of(SECRET),
                Optional.of(pem(rsa.toRSAPublicKey())), List.of("RS256")));

        String hs = hs256(SECRET, claims().build());
        assertInvalidToken(rs256Only.authenticate(bearer(hs)), "token algorithm is not accepted", hs);
    }

    @Test
    void garbageIsAMalformedToken() {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));

        assertInvalidToken(auth.authenticate(bearer("aaa.bbb.ccc")), "malformed token", "aaa.bbb.ccc");
        assertInvalidToken(auth.authenticate(bearer("opaque-token")), "not a JWT", "opaque-token");
    }

    // ---- key rotation

    @Test
    void aRewrittenJwksFileIsPickedUp() throws Exception {
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(rsa.toPublicJWK()).toString());
        FileTime first = Files.getLastModifiedTime(jwks);
        Authenticator auth = authenticator(jwt(Optional.of(jwks), Optional.empty(), Optional.empty(),
                List.of("RS256")));
        String oldKeyToken = rs256(rsa, claims().build());
        String newKeyToken = rs256(otherRsa, claims().build());
        assertThat(auth.authenticate(bearer(oldKeyToken))).isInstanceOf(AuthResult.Allowed.class);
        assertThat(auth.authenticate(bearer(newKeyToken))).isInstanceOf(AuthResult.Denied.class);

        Files.writeString(jwks, new JWKSet(otherRsa.toPublicJWK()).toString());
        // same size, and on a coarse file system perhaps the same second: make the change visible
        Files.setLastModifiedTime(jwks, FileTime.from(first.toInstant().plusSeconds(1)));

        assertThat(auth.authenticate(bearer(newKeyToken))).isInstanceOf(AuthResult.Allowed.class);
        // a token checked before is trusted a little longer, then checked again against the new keys
        assertThat(auth.authenticate(bearer(oldKeyToken))).isInstanceOf(AuthResult.Allowed.class);
        clock.advance(JwtVerifier.RECHECK_AFTER);
        assertInvalidToken(auth.authenticate(bearer(oldKeyToken)), "signature is not valid", oldKeyToken);
        assertThat(auth.authenticate(bearer(newKeyToken))).isInstanceOf(AuthResult.Allowed.class);

        // a half-written file keeps the keys we have
        Files.writeString(jwks, "{\"keys\": [");
        Files.setLastModifiedTime(jwks, FileTime.from(first.toInstant().plusSeconds(2)));
        assertThat(auth.authenticate(bearer(newKeyToken))).isInstanceOf(AuthResult.Allowed.class);
    }

    @Test
    void aTokenTrustedFromAnEarlierCheckStillExpires() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));
        String token = hs256(SECRET, claims().expirationTime(Date.from(NOW.plusSeconds(10))).build());
        assertThat(auth.authenticate(bearer(token))).isInstanceOf(AuthResult.Allowed.class);

        clock.advance(Duration.ofSeconds(39));   // exp + skew (30 s) not reached
        assertThat(auth.authenticate(bearer(token))).isInstanceOf(AuthResult.Allowed.class);
        clock.advance(Duration.ofSeconds(1));
        assertInvalidToken(auth.authenticate(bearer(token)), "token expired", token);
    }

    @Test
    void aTrustedTokenIsTheSameClientEachTime() throws Exception {
        Authenticator auth = authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("HS256")));
        String alice = hs256(SECRET, claims().claim("mcp_tools", "search__*").build());
        String bob = hs256(SECRET, claims().subject("bob").build());

        for (int i = 0; i < 3; i++) {
            assertAllowed(auth.authenticate(bearer(alice)), client -> {
                assertThat(client.name()).isEqualTo("jwt:alice");
                assertThat(client.access().patterns()).containsExactly("search__*");
            });
            assertAllowed(auth.authenticate(bearer(bob)), client -> {
                assertThat(client.name()).isEqualTo("jwt:bob");
                assertThat(client.access().patterns()).containsExactly("files__*");
            });
        }
    }

    // ---- settings that cannot work

    @Test
    void unusableSettingsFailAtStart() throws Exception {
        assertThatThrownBy(() -> authenticator(jwt(Optional.empty(), Optional.of("short"), Optional.empty(),
                List.of("HS256")))).hasMessageContaining("at least 32");
        assertThatThrownBy(() -> authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("none")))).hasMessageContaining("'none' is not accepted");
        assertThatThrownBy(() -> authenticator(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(),
                List.of("RS256")))).hasMessageContaining("has a key");
        assertThatThrownBy(() -> authenticator(jwt(Optional.of(dir.resolve("missing.json")), Optional.empty(),
                Optional.empty(), List.of("RS256")))).hasMessageContaining("gateway.auth.jwt.jwksFile");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> authenticator(jwt(Optional.empty(), Optional.empty(), Optional.of(notPem),
                List.of("RS256")))).hasMessageContaining("no '-----BEGIN PUBLIC KEY-----' block");
    }

    @Test
    void apiKeysAndJwtsWorkSideBySide() throws Exception {
        String key = "side-by-side-key-0123456789";
        AuthSettings auth = new AuthSettings(AuthSettings.Mode.AUTO,
                List.of(new ApiKeySettings("bot", ApiKeyAuthenticationTest.sha256Hex(key), List.of("*"),
                        Optional.empty())),
                Optional.of(jwt(Optional.empty(), Optional.of(SECRET), Optional.empty(), List.of("HS256"))),
                List.of());
        Authenticator both = Authenticators.from(gateway("0.0.0.0", auth), clock);

        assertAllowed(both.authenticate(bearer(key)), client -> assertThat(client.name()).isEqualTo("bot"));
        assertAllowed(both.authenticate(bearer(hs256(SECRET, claims().build()))),
                client -> assertThat(client.name()).isEqualTo("jwt:alice"));
        assertInvalidToken(both.authenticate(bearer("nope")), "neither a known API key nor a JWT", "nope");
    }
}
