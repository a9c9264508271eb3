package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's per-client quotas: read from the file or the environment, with their defaults and their bounds. */
class ConfigLoaderQuotasTest {

    @Test
    void absentGivesTheDefaults() {
        ClientQuotas q = yaml("servers: {}\n").gateway().limits().quotas();
        assertThat(q).isEqualTo(ClientQuotas.DEFAULTS);
        assertThat(q.maxSessionsPerClient()).isEqualTo(100);
        assertThat(q.maxStreamsPerClient()).isEqualTo(16);
        assertThat(q.maxCallsPerClient()).isEqualTo(32);
        assertThat(q.maxStickySessionsPerClient()).isEqualTo(2);
    }

    @Test
    void everyKeyIsRead() {
        ClientQuotas q = yaml("""
                gateway:
                  maxSessionsPerClient: 10
                  maxStreamsPerClient: 3
                  maxCallsPerClient: 7
                  maxStickySessionsPerClient: 1
                """).gateway().limits().quotas();
        assertThat(q).isEqualTo(new ClientQuotas(10, 3, 7, 1));
    }

    @Test
    void theEnvironmentSetsThem() {
        ClientQuotas q = yaml("servers: {}\n", Map.of("MCP_POOL__GATEWAY__MAX_CALLS_PER_CLIENT", "5",
                "MCP_POOL__GATEWAY__MAX_STICKY_SESSIONS_PER_CLIENT", "4")).gateway().limits().quotas();
        assertThat(q.maxCallsPerClient()).isEqualTo(5);
        assertThat(q.maxStickySessionsPerClient()).isEqualTo(4);
    }

    @Test
    void eachIsAWholeNumberOfAtLeastOne() {
        assertThat(problems("""
                gateway:
                  maxSessionsPerClient: 0
                  maxStreamsPerClient: -1
                  maxCallsPerClient: many
                  maxStickySessionsPerClient: 1000001
                """)).containsExactly(
                "gateway.maxSessionsPerClient: must be a whole number from 1 to 1000000; got 0",
                "gateway.maxStreamsPerClient: must be a whole number from 1 to 1000000; got -1",
                "gateway.maxCallsPerClient: must be a whole number from 1 to 1000000; got \"many\"",
                "gateway.maxStickySessionsPerClient: must be a whole number from 1 to 1000000; got 1000001");
    }
}
