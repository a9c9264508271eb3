package io.mcppool.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthFailuresTest {

    @Test
    void anAddressOrATokenIsThrottledAfterItsFailuresAndOthersAreNot() {
        AuthFailures failures = new AuthFailures(3, Duration.ofMinutes(1));
        String token = AuthFailures.tokenKey("wrong-token");
        for (int i = 0; i < 3; i++) {
            assertThat(failures.throttled("10.0.0.1", token)).as("before failure %d", i + 1).isZero();
            failures.failed("10.0.0.1", token, "10.0.0.1", "unknown API key");
        }
        long wait = failures.throttled("10.0.0.1", token);
        assertThat(wait).as("one more try every 20 s").isBetween(1L, 20_000L);
        assertThat(failures.throttled("10.0.0.1", null)).as("the address, whatever it sends").isPositive();
        assertThat(failures.throttled("10.0.0.2", token)).as("the token, from anywhere").isPositive();
        assertThat(failures.throttled("10.0.0.2", AuthFailures.tokenKey("another"))).isZero();
        assertThat(failures.failures()).isEqualTo(3);
    }

    @Test
    void zeroTurnsItOff() {
        AuthFailures off = new AuthFailures(0, Duration.ofMinutes(1));
        for (int i = 0; i < 100; i++) {
            off.failed("10.0.0.1", "t", "10.0.0.1", "unknown API key");
        }
        assertThat(off.throttled("10.0.0.1", "t")).isZero();
    }

    @Test
    void anIpv6AddressCountsByItsSlash64AndTokensAreHashed() throws Exception {
        String a = AuthFailures.addressKey(InetAddress.getByName("2001:db8:1:2::1"));
        String b = AuthFailures.addressKey(InetAddress.getByName("2001:db8:1:2:ffff::9"));
        String c = AuthFailures.addressKey(InetAddress.getByName("2001:db8:1:3::1"));
        assertThat(a).isEqualTo(b).isNotEqualTo(c).endsWith("/64");
        assertThat(AuthFailures.addressKey(InetAddress.getByName("192.0.2.7"))).isEqualTo("192.0.2.7");
        assertThat(AuthFailures.tokenKey("secret-token")).hasSize(32).doesNotContain("secret");
    }
}
