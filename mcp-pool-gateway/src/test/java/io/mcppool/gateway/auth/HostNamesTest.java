package io.mcppool.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNamesTest {

    @ParameterizedTest(name = "bind {0}: loopback {1}, every interface {2}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1        | true  | false
            127.1.2.3        | true  | false
            localhost        | true  | false
            LocalHost        | true  | false
            ::1              | true  | false
            [::1]            | true  | false
            0.0.0.0          | false | true
            ::               | false | true
            ''               | false | true
            10.0.0.5         | false | false
            127.0.0.256      | false | false
            127.evil.example | false | false
            localhost.local  | false | false
            gw.internal      | false | false
            """)
    void bindAddresses(String host, boolean loopback, boolean wildcard) {
        assertThat(HostNames.isLoopbackBind(host)).isEqualTo(loopback);
        assertThat(HostNames.isWildcardBind(host)).isEqualTo(wildcard);
    }
}
