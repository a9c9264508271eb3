package io.mcppool.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.mcppool.config.CacheSettings;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.ServerConfig;
import io.mcppool.config.ToolConfig;
import io.mcppool.protocol.ToolAnnotations;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The safety rule as a table: who may have a tool's results cached. */
class CacheabilityTest {
    static final ToolAnnotations READ_ONLY = new ToolAnnotations(null, true, false, true, false);
    static final ToolAnnotations WRITES = new ToolAnnotations(null, false, true, false, true);
    static final CacheSettings ON = CacheSettings.ttl(Duration.ofSeconds(30));
    static final CacheSettings OFF = CacheSettings.OFF;
    static final ToolConfig NOTHING = ToolConfig.DEFAULTS;
    static final ToolConfig SAYS_READ_ONLY = new ToolConfig(Optional.empty(), Optional.of(true), Optional.empty());
    static final ToolConfig SAYS_WRITES = new ToolConfig(Optional.empty(), Optional.of(false), Optional.empty());
    static final ToolConfig OWN_BLOCK = ToolConfig.DEFAULTS.withCache(ON);
    static final ToolConfig OWN_BLOCK_BUT_WRITES = SAYS_WRITES.withCache(ON);
    static final ToolConfig OWN_BLOCK_TTL_ZERO = ToolConfig.DEFAULTS.withCache(OFF);

    record Row(String what, ToolAnnotations annotations, boolean trusted, ToolConfig tool, CacheSettings server,
               boolean cacheable) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("trusted read-only hint, server ttl", READ_ONLY, true, NOTHING, ON, true),
                new Row("untrusted read-only hint", READ_ONLY, false, NOTHING, ON, false),
                new Row("trusted, not read-only", WRITES, true, NOTHING, ON, false),
                new Row("trusted, annotations unknown", null, true, NOTHING, ON, false),
                new Row("trusted read-only hint, cache off", READ_ONLY, true, NOTHING, OFF, false),
                new Row("trusted read-only hint, config readOnly false", READ_ONLY, true, SAYS_WRITES, ON, false),
                new Row("untrusted, config readOnly true", WRITES, false, SAYS_READ_ONLY, ON, true),
                new Row("config readOnly true, cache off", READ_ONLY, true, SAYS_READ_ONLY, OFF, false),
                new Row("own cache block, untrusted writer", WRITES, false, OWN_BLOCK, OFF, true),
                new Row("own cache block wins over readOnly false", WRITES, false, OWN_BLOCK_BUT_WRITES, OFF, true),
                new Row("own cache block with ttl 0, trusted read-only", READ_ONLY, true, OWN_BLOCK_TTL_ZERO, ON, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theRule(Row row) {
        CacheSettings resolved = row.tool().cache().orElse(row.server());
        assertThat(Cacheability.cacheable(row.annotations(), row.trusted(), row.tool(), resolved))
                .as(row.what()).isEqualTo(row.cacheable());

        ServerConfig server = ServerConfig.builder("s", new EndpointConfig.Http(java.net.URI.create("http://127.0.0.1:1/mcp"),
                        Map.of())).trusted(row.trusted()).cache(row.server()).tools(Map.of("t", row.tool())).build();
        assertThat(Cacheability.cacheable(server, "t", row.annotations())).as(row.what() + ", from the server config")
                .isEqualTo(row.cacheable());
    }

    @Test
    void coalescingFollowsCachingUnlessTheConfigSays() {
        assertThat(Cacheability.coalesces(ON, true)).isTrue();
        assertThat(Cacheability.coalesces(ON, false)).isFalse();
        assertThat(Cacheability.coalesces(ON.withCoalesce(false), true)).isFalse();
        assertThat(Cacheability.coalesces(OFF.withCoalesce(true), false)).isTrue();
    }

    @Test
    void aServerIsConfiguredWhenAnyBlockCachesOrCoalesces() {
        Supplier<ServerConfig.Builder> base = () -> ServerConfig.builder("s",
                new EndpointConfig.Http(java.net.URI.create("http://127.0.0.1:1/mcp"), Map.of()));
        assertThat(Cacheability.configured(base.get().build())).isFalse();
        assertThat(Cacheability.configured(base.get().cache(ON).build())).isTrue();
        assertThat(Cacheability.configured(base.get().cache(OFF.withCoalesce(true)).build())).isTrue();
        assertThat(Cacheability.configured(base.get().tools(Map.of("t", OWN_BLOCK)).build())).isTrue();
        assertThat(Cacheability.configured(base.get().tools(Map.of("t", OWN_BLOCK_TTL_ZERO)).build())).isFalse();
        assertThat(Cacheability.configured(base.get().tools(Map.of("t", SAYS_READ_ONLY)).build())).isFalse();
    }
}
