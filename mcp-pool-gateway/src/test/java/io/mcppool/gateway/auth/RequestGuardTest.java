package io.mcppool.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mcppool.config.GatewaySettings;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestGuardTest {

    private static GatewaySettings bound(String host, List<String> allowedHosts, List<String> allowedOrigins) {
        GatewaySettings d = GatewaySettings.DEFAULTS;
        return new GatewaySettings(host, 8080, d.path(), d.separator(), d.auth(), d.rateLimit(), allowedOrigins,
                allowedHosts, d.maxBodyBytes(), d.sessionIdleTimeout(), d.maxSessions(), d.drainTimeout(),
                d.watchConfig(), d.limits());
    }

    private static String nullIfDash(String s) {
        return "-".equals(s) ? null : s;
    }

    /**
     * Gateway on 127.0.0.1 with allowedHosts [mcp.example.com] and allowedOrigins [https://app.example.com].
     * The first two rows are the conformance suite's dns-rebinding-protection scenario.
     */
    @ParameterizedTest(name = "Host {0}, Origin {1}: allowed {2}")
    @CsvSource(delimiter = '|', textBlock = """
            evil.example.com            | http://evil.example.com       | false
            localhost:8080              | http://localhost:8080         | true
            127.0.0.1:8080              | -                             | true
            localhost                   | -                             | true
            LOCALHOST:9999              | -                             | true
            [::1]:8080                  | http://[::1]:8080             | true
            127.0.0.1:8080              | https://127.0.0.1             | true
            localhost:8080              | http://127.0.0.1:3000         | true
            mcp.example.com             | https://mcp.example.com       | true
            mcp.example.com:443         | -                             | true
            localhost:8080              | https://app.example.com       | true
            localhost:8080              | https://APP.example.com/      | true
            localhost:8080              | https://app.example.com:8443  | false
            evil.example.com:8080       | -                             | false
            localhost.evil.com          | -                             | false
            127.0.0.1.evil.com          | -                             | false
            127.0.0.2                   | -                             | false
            localhost:8080              | http://evil.example.com       | false
            localhost:8080              | null                          | false
            localhost:8080              | file://                       | false
            localhost:8080              | chrome-extension://abcdef     | false
            localhost:8080              | http://localhost:8080/path    | false
            localhost:8080              | http://user@localhost:8080    | false
            localhost:8080              | http://localhost:80a          | false
            ''                          | -                             | false
            -                           | -                             | false
            user@localhost              | -                             | false
            localhost:                  | -                             | false
            localhost:123456            | -                             | false
            [::1                        | -                             | false
            '[::1]x'                    | -                             | false
            """)
    void loopbackGatewayAcceptsLoopbackNamesAndWhatIsConfigured(String host, String origin, boolean allowed) {
        RequestGuard guard = RequestGuard.of(bound("127.0.0.1", List.of("mcp.example.com"),
                List.of("https://app.example.com")));

        var verdict = guard.check(nullIfDash(host), nullIfDash(origin));

        assertThat(verdict.isEmpty()).isEqualTo(allowed);
        verdict.ifPresent(rejection -> assertThat(rejection.status()).isEqualTo(403));
    }

    @ParameterizedTest(name = "bind {0}, Host {1}, Origin {2}: allowed {3}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.5        | 10.0.0.5:8080           | -                        | true
            10.0.0.5        | 10.0.0.5:8080           | http://10.0.0.5:8080     | true
            10.0.0.5        | localhost:8080          | -                        | false
            10.0.0.5        | evil.example.com        | -                        | false
            gw.internal     | GW.internal:8080        | https://gw.internal      | true
            gw.internal     | other.internal          | -                        | false
            ::1             | [::1]:8080              | http://[::1]:8080        | true
            ::1             | localhost:8080          | -                        | true
            0.0.0.0         | anything.example:8080   | -                        | true
            0.0.0.0         | anything.example:8080   | http://localhost:3000    | true
            0.0.0.0         | anything.example:8080   | http://anything.example  | false
            """)
    void otherBindAddresses(String bind, String host, String origin, boolean allowed) {
        RequestGuard guard = RequestGuard.of(bound(bind, List.of(), List.of()));

        assertThat(guard.check(host, nullIfDash(origin)).isEmpty()).isEqualTo(allowed);
    }

    @Test
    void aWildcardBindChecksHostOnceAllowedHostsAreGiven() {
        RequestGuard guard = RequestGuard.of(bound("0.0.0.0", List.of("gw.example.com:443"), List.of()));

        assertThat(guard.check("gw.example.com", null)).isEmpty();
        assertThat(guard.check("localhost:8080", "http://localhost:8080")).isEmpty();
        assertThat(guard.check("evil.example.com", null)).isPresent();
        assertThat(guard.check("gw.example.com", "https://gw.example.com")).isEmpty();
    }

    @Test
    void rejectionsSayWhatToConfigure() {
        RequestGuard guard = RequestGuard.of(bound("127.0.0.1", List.of(), List.of()));

        assertThat(guard.check("evil.example.com:8080", null)).get()
                .satisfies(r -> assertThat(r.message()).contains("'evil.example.com'", "gateway.allowedHosts"));
        assertThat(guard.check("localhost", "http://evil.example.com")).get()
                .satisfies(r -> assertThat(r.message()).contains("gateway.allowedOrigins"));
    }

    @Test
    void badListEntriesFailAtStart() {
        assertThatThrownBy(() -> RequestGuard.of(bound("127.0.0.1", List.of("http://x/"), List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gateway.allowedHosts");
        assertThatThrownBy(() -> RequestGuard.of(bound("127.0.0.1", List.of(), List.of("app.example.com"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gateway.allowedOrigins");
        assertThatThrownBy(() -> RequestGuard.of(bound("127.0.0.1", List.of(), List.of("null"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RequestGuard.of(bound("127.0.0.1", List.of(), List.of("https://app.example/x"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listedOriginsMayHaveAnyScheme() {
        RequestGuard guard = RequestGuard.of(bound("127.0.0.1", List.of(),
                List.of("vscode-webview://1a2b3c", "chrome-extension://abcdefgh/")));

        assertThat(guard.check("localhost:8080", "vscode-webview://1a2b3c")).isEmpty();
        assertThat(guard.check("localhost:8080", "chrome-extension://abcdefgh")).isEmpty();
        assertThat(guard.check("localhost:8080", "vscode-webview://other")).isPresent();
        assertThat(guard.check("localhost:8080", "chrome-extension://localhost")).isPresent();
    }
}
