package io.mcppool.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.config.ApiKeySettings;
import io.mcppool.config.AuthSettings;
import io.mcppool.config.GatewaySettings;
import io.mcppool.config.RateLimit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticationTest {
    static final String CI_KEY = "mcp_ci_3f9a1c77e2b04d5a9c1e";
    static final String OPS_KEY = "mcp_ops_88c2d0b7a61e4f02";
    private static final RateLimit GATEWAY_LIMIT = new RateLimit(50, 100);

    static String sha256Hex(String key) {
        return HexFormat.of().formatHex(ApiKeys.sha256(key));
    }

    static GatewaySettings gateway(String host, AuthSettings auth) {
        GatewaySettings d = GatewaySettings.DEFAULTS;
        return new GatewaySettings(host, 8080, d.path(), d.separator(), auth, GATEWAY_LIMIT, List.of(), List.of(),
                d.maxBodyBytes(), d.sessionIdleTimeout(), d.maxSessions(), d.drainTimeout(), d.watchConfig(), d.limits());
    }

    private static AuthSettings keys(AuthSettings.Mode mode) {
        return new AuthSettings(mode, List.of(
                new ApiKeySettings("ci-bot", sha256Hex(CI_KEY).toUpperCase(), List.of("files__*", "search__query"),
                        Optional.of(new RateLimit(5, 10))),
                new ApiKeySettings("ops", sha256Hex(OPS_KEY), List.of("*"), Optional.empty())),
                Optional.empty(), List.of("*"));
    }

    private static Optional<String> bearer(String token) {
        return Optional.of("Bearer " + token);
    }

    @Test
    void aConfiguredKeyIsItsClientWithItsAllowListAndRateLimit() {
        Authenticator auth = Authenticators.from(gateway("0.0.0.0", keys(AuthSettings.Mode.AUTO)));

        AuthResult result = auth.authenticate(bearer(CI_KEY));

        assertThat(result).isInstanceOfSatisfying(AuthResult.Allowed.class, allowed -> {
            ClientIdentity client = allowed.client();
            assertThat(client.name()).isEqualTo("ci-bot");
            assertThat(client.anonymous()).isFalse();
            assertThat(client.rateLimit()).isEqualTo(new RateLimit(5, 10));
            assertThat(client.access().allows("files__read_file")).isTrue();
            assertThat(client.access().allows("search__index")).isFalse();
        });
        assertThat(auth.authenticate(Optional.of("bearer   " + OPS_KEY + "  "))).isInstanceOfSatisfying(
                AuthResult.Allowed.class, allowed -> {
                    assertThat(allowed.client().name()).isEqualTo("ops");
                    assertThat(allowed.client().rateLimit()).isEqualTo(GATEWAY_LIMIT);
                });
    }

    @Test
    void aWrongKeyIsAnInvalidTokenAndIsNotEchoed() {
        Authenticator auth = Authenticators.from(gateway("0.0.0.0", keys(AuthSettings.Mode.AUTO)));
        String wrong = CI_KEY + "x";

        AuthResult result = auth.authenticate(bearer(wrong));

        assertThat(result).isInstanceOfSatisfying(AuthResult.Denied.class, denied -> {
            assertThat(denied.status()).isEqualTo(401);
            assertThat(denied.wwwAuthenticate()).isEqualTo(
                    "Bearer realm=\"mcp-pool\", error=\"invalid_token\", error_description=\"unknown API key\"");
            assertThat(denied.message()).doesNotContain(wrong);
            assertThat(denied.wwwAuthenticate()).doesNotContain(wrong);
        });
    }

    @Test
    void noCredentialsIsA401WithTheBearerChallenge() {
        Authenticator auth = Authenticators.from(gateway("0.0.0.0", keys(AuthSettings.Mode.AUTO)));

        for (Optional<String> header : List.of(Optional.<String>empty(), Optional.of(""), Optional.of("  "))) {
            assertThat(auth.authenticate(header)).isEqualTo(new AuthResult.Denied(401, "Bearer realm=\"mcp-pool\"",
                    "authentication required: send Authorization: Bearer <token>"));
        }
        assertThat(auth.authenticate(Optional.of("Basic dXNlcjpwYXNz"))).isInstanceOfSatisfying(
                AuthResult.Denied.class, denied -> {
                    assertThat(denied.status()).isEqualTo(401);
                    assertThat(denied.wwwAuthenticate()).isEqualTo("Bearer realm=\"mcp-pool\"");
                });
        assertThat(auth.authenticate(Optional.of("Bearer"))).isInstanceOfSatisfying(AuthResult.Denied.class,
                denied -> assertThat(denied.wwwAuthenticate()).contains("error=\"invalid_token\""));
        assertThat(auth.authenticate(Optional.of("Bearer a b"))).isInstanceOfSatisfying(AuthResult.Denied.class,
                denied -> assertThat(denied.message()).contains("malformed"));
        assertThat(auth.authenticate(Optional.of("Bearerx" + CI_KEY))).isInstanceOf(AuthResult.Denied.class);
    }

    @Test
    void onLoopbackWithoutCredentialsConfiguredEveryoneIsAnonymous() {
        AuthSettings open = new AuthSettings(AuthSettings.Mode.AUTO, List.of(), Optional.empty(),
                List.of("files__*"));
        Authenticator auth = Authenticators.from(gateway("127.0.0.1", open));

        for (Optional<String> header : List.of(Optional.<String>empty(), bearer("whatever-token"),
                Optional.of("Basic dXNlcjpwYXNz"))) {
            assertThat(auth.authenticate(header)).isInstanceOfSatisfying(AuthResult.Allowed.class, allowed -> {
                assertThat(allowed.client().name()).isEqualTo("anonymous");
                assertThat(allowed.client().anonymous()).isTrue();
                assertThat(allowed.client().rateLimit()).isEqualTo(GATEWAY_LIMIT);
                assertThat(allowed.client().access().allows("files__read")).isTrue();
                assertThat(allowed.client().access().allows("search__query")).isFalse();
            });
        }
        assertThat(Authenticators.required(gateway("127.0.0.1", open))).isFalse();
        assertThat(Authenticators.required(gateway("localhost", open))).isFalse();
        assertThat(Authenticators.required(gateway("::1", open))).isFalse();
    }

    @Test
    void configuredKeysTurnAuthOnEvenOnLoopback() {
        Authenticator auth = Authenticators.from(gateway("127.0.0.1", keys(AuthSettings.Mode.AUTO)));

        assertThat(auth.authenticate(Optional.empty())).isInstanceOf(AuthResult.Denied.class);
        assertThat(auth.authenticate(bearer(CI_KEY))).isInstanceOf(AuthResult.Allowed.class);
    }

    @Test
    void withAuthDisabledAPresentedTokenIsStillChecked() {
        Authenticator auth = Authenticators.from(gateway("0.0.0.0", keys(AuthSettings.Mode.DISABLED)));

        assertThat(auth.authenticate(Optional.empty())).isInstanceOfSatisfying(AuthResult.Allowed.class,
                allowed -> assertThat(allowed.client().anonymous()).isTrue());
        assertThat(auth.authenticate(bearer(CI_KEY))).isInstanceOfSatisfying(AuthResult.Allowed.class,
                allowed -> assertThat(allowed.client().name()).isEqualTo("ci-bot"));
        assertThat(auth.authenticate(bearer("not-a-key"))).isInstanceOfSatisfying(AuthResult.Denied.class,
                denied -> assertThat(denied.status()).isEqualTo(401));
    }

    @Test
    void aNetworkBindWithoutAnyCredentialFailsAtStartWithTheFix() {
        AuthSettings none = AuthSettings.DEFAULTS;

        assertThatThrownBy(() -> Authenticators.from(gateway("0.0.0.0", none)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address")
                .hasMessageContaining("gateway.auth.mode: disabled");
        assertThatThrownBy(() -> Authenticators.from(gateway("127.0.0.1",
                new AuthSettings(AuthSettings.Mode.REQUIRED, List.of(), Optional.empty(), List.of("*")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'required'");
        assertThat(Authenticators.from(gateway("0.0.0.0",
                new AuthSettings(AuthSettings.Mode.DISABLED, List.of(), Optional.empty(), List.of("*"))))
                .authenticate(Optional.empty())).isInstanceOf(AuthResult.Allowed.class);
    }

    @Test
    void twoClientsWithOneKeyOrOneNameAreRefused() {
        String hash = sha256Hex(CI_KEY);
        assertThatThrownBy(() -> Authenticators.from(gateway("0.0.0.0", new AuthSettings(AuthSettings.Mode.AUTO,
                List.of(new ApiKeySettings("a", hash, List.of(), Optional.empty()),
                        new ApiKeySettings("b", hash, List.of(), Optional.empty())),
                Optional.empty(), List.of()))))
                .hasMessageContaining("'b' and 'a' have the same key");
        assertThatThrownBy(() -> Authenticators.from(gateway("0.0.0.0", new AuthSettings(AuthSettings.Mode.AUTO,
                List.of(new ApiKeySettings("a", hash, List.of(), Optional.empty()),
                        new ApiKeySettings("a", sha256Hex(OPS_KEY), List.of(), Optional.empty())),
                Optional.empty(), List.of()))))
                .hasMessageContaining("'a' is used twice");
    }

    @Test
    void theHashMatchesWhatTheDocsTellOperatorsToRun() {
        // printf %s "mcp_ci_3f9a1c77e2b04d5a9c1e" | sha256sum
        assertThat(sha256Hex(CI_KEY)).isEqualTo(SHELL_SHA256_OF_CI_KEY);
    }

    private static final String SHELL_SHA256_OF_CI_KEY =
            "a8d3a5218d5fe1bc59eed3b59f5887646f601b79cfca91a58ef32812336d757c";
}
