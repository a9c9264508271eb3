package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Result caching ({@code cache} in defaults, a server and a tool), the shared Redis cache (top-level
 * {@code cache}), and the other server keys the gateway reads: {@code prefix}, {@code required},
 * {@code catalogRefresh}.
 */
class ConfigLoaderCacheTest {

    private static final long MB = 1024 * 1024;

    private static ServerConfig server(McpPoolConfig config, String name) {
        return config.servers().get(name);
    }

    private static McpPoolConfig parse(ConfigLoader.Format format, String text) {
        return ConfigLoader.parse(text, format, "test", Map.of());
    }

    @Nested
    class EveryKeyInEachFormat {

        static final String YAML = """
                defaults:
                  cache: { ttl: 1m, maxEntries: 500, maxBytes: 8MB, shared: true, coalesce: false }
                  catalogRefresh: 10m
                servers:
                  files:
                    command: npx
                    prefix: fs
                    required: true
                    cache: { maxEntries: 50 }
                    catalogRefresh: 0
                    tools:
                      read_file: { cache: { ttl: 30s, coalesce: true } }
                cache:
                  redis: { url: "rediss://cache.internal:6380/1", prefix: "team-a:", ttl: 1h, timeout: 100ms }
                """;

        static final String TOML = """
                [defaults]
                catalogRefresh = "10m"
                cache = { ttl = "1m", maxEntries = 500, maxBytes = "8MB", shared = true, coalesce = false }

                [servers.files]
                command = "npx"
                prefix = "fs"
                required = true
                cache = { maxEntries = 50 }
                catalogRefresh = "0"

                [servers.files.tools.read_file.cache]
                ttl = "30s"
                coalesce = true

                [cache.redis]
                url = "rediss://cache.internal:6380/1"
                prefix = "team-a:"
                ttl = "1h"
                timeout = "100ms"
                """;

        static final String JSON = """
                {
                  "defaults": {
                    "cache": { "ttl": "1m", "maxEntries": 500, "maxBytes": "8MB", "shared": true, "coalesce": false },
                    "catalogRefresh": "10m"
                  },
                  "servers": {
                    "files": {
                      "command": "npx", "prefix": "fs", "required": true, "cache": { "maxEntries": 50 },
                      "catalogRefresh": 0,
                      "tools": { "read_file": { "cache": { "ttl": "30s", "coalesce": true } } }
                    }
                  },
                  "cache": {
                    "redis": { "url": "rediss://cache.internal:6380/1", "prefix": "team-a:", "ttl": "1h",
                               "timeout": "100ms" }
                  }
                }
                """;

        private void check(McpPoolConfig config) {
            ServerConfig files = server(config, "files");
            CacheSettings serverCache = new CacheSettings(Duration.ofMinutes(1), 50, 8 * MB, true, Optional.of(false));
            assertThat(files.cache()).isEqualTo(serverCache);
            assertThat(files.tool("read_file").cache()).contains(new CacheSettings(Duration.ofSeconds(30), 50, 8 * MB,
                    true, Optional.of(true)));
            assertThat(files.cache("read_file").ttl()).isEqualTo(Duration.ofSeconds(30));
            assertThat(files.cache("write_file")).isEqualTo(serverCache);
            assertThat(files.prefix()).isEqualTo("fs");
            assertThat(files.required()).isTrue();
            assertThat(files.catalogRefresh()).isZero();
            assertThat(config.sharedCache()).isEqualTo(new SharedCacheSettings(
                    Optional.of(URI.create("rediss://cache.internal:6380/1")), "team-a:", Optional.of(Duration.ofHours(1)),
                    Duration.ofMillis(100)));
        }

        @Test
        void yaml() {
            check(parse(ConfigLoader.Format.YAML, YAML));
        }

        @Test
        void toml() {
            check(parse(ConfigLoader.Format.TOML, TOML));
        }

        @Test
        void json() {
            check(parse(ConfigLoader.Format.JSON, JSON));
        }

        @Test
        void theHostShapeTakesTheSameServerKeys() {
            McpPoolConfig config = parse(ConfigLoader.Format.JSON, """
                    {
                      "mcpServers": {
                        "filesystem": {
                          "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
                          "prefix": false, "required": true, "cache": "45s", "catalogRefresh": "5m",
                          "tools": { "read_file": { "cache": { "shared": true } }, "write_file": { "cache": false } }
                        }
                      }
                    }
                    """);
            ServerConfig fs = server(config, "filesystem");
            assertThat(fs.prefix()).isEmpty();
            assertThat(fs.required()).isTrue();
            assertThat(fs.cache().ttl()).isEqualTo(Duration.ofSeconds(45));
            assertThat(fs.catalogRefresh()).isEqualTo(Duration.ofMinutes(5));
            assertThat(fs.cache("read_file")).isEqualTo(CacheSettings.ttl(Duration.ofSeconds(45)).withShared(true));
            assertThat(fs.tool("write_file").cache()).contains(CacheSettings.OFF);
        }
    }

    @Nested
    class Merging {

        private static final String LAYERS = """
                defaults:
                  cache: { ttl: 1m, maxEntries: 100, maxBytes: 1MB }
                servers:
                  plain:
                    command: a
                    tools:
                      search: { idempotent: true }
                  own:
                    command: b
                    cache: { maxEntries: 7, shared: true }
                    tools:
                      read_file: { cache: { ttl: 30s } }
                      never: { cache: false }
                      short: { cache: 5s }
                      listed: { cache: {} }
                """;

        @Test
        void defaultsServerAndToolMergeKeyByKey() {
            McpPoolConfig config = yaml(LAYERS);
            CacheSettings fromDefaults = new CacheSettings(Duration.ofMinutes(1), 100, MB, false, Optional.empty());
            assertThat(server(config, "plain").cache()).isEqualTo(fromDefaults);
            assertThat(server(config, "plain").tool("search").cache()).as("no cache block: nothing said").isEmpty();
            assertThat(server(config, "plain").cache("search")).isEqualTo(fromDefaults);

            ServerConfig own = server(config, "own");
            CacheSettings ownCache = new CacheSettings(Duration.ofMinutes(1), 7, MB, true, Optional.empty());
            assertThat(own.cache()).as("keeps ttl and maxBytes from defaults").isEqualTo(ownCache);
            assertThat(own.tool("read_file").cache()).as("keeps maxEntries and shared from the server")
                    .contains(ownCache.withTtl(Duration.ofSeconds(30)));
            assertThat(own.tool("never").cache()).as("false: listed, never cached").contains(ownCache.withTtl(Duration.ZERO));
            assertThat(own.cache("never").enabled()).isFalse();
            assertThat(own.tool("short").cache()).contains(ownCache.withTtl(Duration.ofSeconds(5)));
            assertThat(own.tool("listed").cache()).as("an empty block lists the tool with the server's settings")
                    .contains(ownCache);
        }

        @Test
        void offByDefault() {
            ServerConfig s = server(yaml("servers:\n  a: { command: a }\n"), "a");
            assertThat(s.cache()).isEqualTo(CacheSettings.OFF);
            assertThat(s.cache().enabled()).isFalse();
            assertThat(s.catalogRefresh()).isZero();
            assertThat(s.prefix()).isEqualTo("a");
            assertThat(s.required()).isFalse();
        }

        @Test
        void aServerShorthandSetsOnlyTheTtl() {
            McpPoolConfig config = yaml("""
                    defaults:
                      cache: { ttl: 1m, maxEntries: 100 }
                    servers:
                      never: { command: a, cache: false }
                      short: { command: b, cache: 10s }
                      zero: { command: c, cache: 0 }
                    """);
            assertThat(server(config, "never").cache()).isEqualTo(CacheSettings.OFF.withLimits(100,
                    CacheSettings.DEFAULT_MAX_BYTES));
            assertThat(server(config, "short").cache().ttl()).isEqualTo(Duration.ofSeconds(10));
            assertThat(server(config, "short").cache().maxEntries()).isEqualTo(100);
            assertThat(server(config, "zero").cache().enabled()).isFalse();
        }

        @Test
        void catalogRefreshIsInheritedFromDefaults() {
            McpPoolConfig config = yaml("""
                    defaults: { catalogRefresh: 5m }
                    servers:
                      a: { command: a }
                      b: { command: b, catalogRefresh: 30s }
                      c: { command: c, catalogRefresh: 0 }
                    """);
            assertThat(server(config, "a").catalogRefresh()).isEqualTo(Duration.ofMinutes(5));
            assertThat(server(config, "b").catalogRefresh()).isEqualTo(Duration.ofSeconds(30));
            assertThat(server(config, "c").catalogRefresh()).isZero();
        }

        @Test
        void aWrongServerValueDoesNotFallBackToDefaults() {
            assertThat(problems("""
                    defaults: { cache: { ttl: 1m } }
                    servers:
                      a: { command: a, cache: { ttl: soon } }
                    """)).containsExactly(
                    "servers.a.cache.ttl: must be a duration like 250ms, 5s, 10m, 1h; got \"soon\"");
        }
    }

    @Nested
    class ServerKeys {

        @Test
        void prefixForms() {
            McpPoolConfig config = yaml("""
                    servers:
                      named: { command: a }
                      own: { command: a, prefix: files.v2 }
                      none: { command: a, prefix: false }
                      empty: { command: a, prefix: "" }
                    """);
            assertThat(config.servers().values()).extracting(ServerConfig::prefix)
                    .containsExactly("named", "files.v2", "", "");
        }

        @Test
        void wrongPrefixes() {
            assertThat(problems("""
                    servers:
                      a: { command: a, prefix: "my files" }
                      b: { command: a, prefix: true }
                      c: { command: a, prefix: [x] }
                      d: { command: a, required: sometimes }
                    """)).containsExactly(
                    "servers.a.prefix: a prefix must be 1 to 64 letters, digits, _, . or -; got \"my files\"; or false"
                            + " for none",
                    "servers.b.prefix: is not a prefix; got true; leave prefix out for the server's name, or write"
                            + " false for none",
                    "servers.c.prefix: must be a string; got a list",
                    "servers.d.required: must be true or false; got \"sometimes\"");
            assertThat(problems("servers:\n  a: { command: a, prefix: " + "p".repeat(65) + " }\n")).singleElement()
                    .asString().startsWith("servers.a.prefix: a prefix must be 1 to 64 letters");
        }

        @Test
        void aWrittenPrefixMustNotHoldTheSeparator() {
            assertThat(problems("servers:\n  a: { command: a, prefix: my__files }\n")).containsExactly(
                    "servers.a.prefix: must not contain the gateway's separator '__'; got \"my__files\"; pick another"
                            + " prefix or another gateway.separator");
            assertThat(problems("servers:\n  a: { command: a, prefix: files.v2 }\ngateway: { separator: \".\" }\n"))
                    .containsExactly("servers.a.prefix: must not contain the gateway's separator '.'; got \"files.v2\";"
                            + " pick another prefix or another gateway.separator");
            // A name used as the prefix only warns: a library user may never run a gateway.
            assertThat(yaml("servers:\n  my__files: { command: a }\n").servers().get("my__files").prefix())
                    .isEqualTo("my__files");
        }

        @Test
        void ownKeysAreNotAllowedInDefaultsOrEndpoints() {
            assertThat(problems("defaults: { prefix: x, required: true }\n")).containsExactly(
                    "defaults.prefix: not allowed in defaults; each server gives its own",
                    "defaults.required: not allowed in defaults; each server gives its own");
            assertThat(problems("servers:\n  a: { endpoints: [ { command: a, prefix: x, cache: 5s } ] }\n"))
                    .containsExactly(
                            "servers.a.endpoints[0].prefix: a setting of the whole server, not of one endpoint; write it"
                                    + " on the server, next to endpoints",
                            "servers.a.endpoints[0].cache: a setting of the whole server, not of one endpoint; write it"
                                    + " on the server, next to endpoints");
            assertThat(problems("servers:\n  a: { command: a, tools: { t: { prefix: x, catalogRefresh: 1m } } }\n"))
                    .containsExactly(
                            "servers.a.tools.t.prefix: not a tool setting; a tool may set idempotent, readOnly, retry"
                                    + " and cache",
                            "servers.a.tools.t.catalogRefresh: not a tool setting; a tool may set idempotent, readOnly,"
                                    + " retry and cache");
            assertThat(problems("catalogRefresh: 1m\nprefix: x\n")).satisfiesExactly(
                    p -> assertThat(p).startsWith("catalogRefresh: unknown key; did you mean 'defaults.catalogRefresh'?"),
                    p -> assertThat(p).startsWith("prefix: unknown key; did you mean 'servers.<name>.prefix'?"));
        }
    }

    @Nested
    class CacheErrors {

        private static String server(String body) {
            return "servers:\n  files:\n    command: npx\n" + body.indent(4);
        }

        @Test
        void wrongCacheValues() {
            assertThat(problems(server("""
                    cache: { ttl: -1s, maxEntries: 0, maxBytes: 10, shared: maybe, coalesce: 1, enabled: true }
                    catalogRefresh: 5
                    """))).containsExactly(
                    "servers.files.catalogRefresh: a bare number is not a duration; got 5; add a unit, e.g. 5s",
                    "servers.files.cache.enabled: a cache has no enabled; a zero ttl (or cache: false) turns it off, a"
                            + " ttl turns it on",
                    "servers.files.cache.ttl: must not be negative; got \"-1s\"",
                    "servers.files.cache.maxEntries: must be a whole number from 1 to 100000000; got 0",
                    "servers.files.cache.maxBytes: must be at least 1024 bytes; got 10",
                    "servers.files.cache.shared: must be true or false; got \"maybe\"",
                    "servers.files.cache.coalesce: must be true or false; got 1");
            assertThat(problems(server("cache: 2TB"))).containsExactly(
                    "servers.files.cache: must be a duration like 250ms, 5s, 10m, 1h; got \"2TB\"");
            assertThat(problems(server("cache: { maxBytes: 2048GB }"))).containsExactly(
                    "servers.files.cache.maxBytes: must be at most 1099511627776 bytes (1TiB); got \"2048GB\"");
        }

        @Test
        void wrongShorthands() {
            assertThat(problems(server("cache: true"))).containsExactly(
                    "servers.files.cache: says nothing about how long to keep results; got true; write a ttl, e.g."
                            + " cache: 30s or cache: { ttl: 30s }");
            assertThat(problems(server("cache: [30s]"))).containsExactly(
                    "servers.files.cache: must be a map of cache settings, e.g. { ttl: 30s, maxEntries: 1000 }, or 30s"
                            + " for the ttl alone, or false; got a list");
            assertThat(problems(server("tools: { read_file: { cache: soon } }"))).containsExactly(
                    "servers.files.tools.read_file.cache: must be a duration like 250ms, 5s, 10m, 1h; got \"soon\"");
            assertThat(problems(server("tools: { read_file: { cache: { tll: 5s } } }"))).containsExactly(
                    "servers.files.tools.read_file.cache.tll: unknown key; did you mean 'ttl'? allowed: ttl,"
                            + " maxEntries, maxBytes, shared, coalesce");
        }

        @Test
        void keysInTheWrongPlaceSayWhereTheyBelong() {
            assertThat(problems(server("retry: { ttl: 5s }"))).singleElement().asString()
                    .startsWith("servers.files.retry.ttl: unknown key; did you mean 'cache.ttl'?");
            assertThat(problems(server("cache: { maxSessions: 5 }"))).singleElement().asString()
                    .startsWith("servers.files.cache.maxSessions: unknown key; did you mean 'pool.maxSessions'?");
            assertThat(problems(server("pool: { cache: 5s }"))).containsExactly(
                    "servers.files.pool.cache: not a pool setting; it belongs one level up, next to pool");
        }
    }

    @Nested
    class SharedCache {

        @Test
        void theShorthandAndTheDefaults() {
            SharedCacheSettings s = yaml("cache: { redis: \"redis://127.0.0.1:6379\" }\n").sharedCache();
            assertThat(s).isEqualTo(SharedCacheSettings.redis(URI.create("redis://127.0.0.1:6379")));
            assertThat(s.prefix()).isEqualTo(SharedCacheSettings.DEFAULT_PREFIX);
            assertThat(s.timeout()).isEqualTo(SharedCacheSettings.DEFAULT_TIMEOUT);
            assertThat(s.ttl()).isEmpty();
            assertThat(yaml("cache: { redis: { url: \"redis://h\", prefix: \"\" } }\n").sharedCache().prefix()).isEmpty();
            assertThat(yaml("servers: {}\n").sharedCache()).isEqualTo(SharedCacheSettings.NONE);
            assertThat(yaml("cache: {}\n").sharedCache()).isEqualTo(SharedCacheSettings.NONE);
        }

        @Test
        void wrongRedisValues() {
            assertThat(problems("""
                    cache:
                      redis: { url: "redis:///0", ttl: 0, timeout: fast, pefix: x }
                    """)).containsExactly(
                    "cache.redis.pefix: unknown key; did you mean 'prefix'? allowed: url, prefix, ttl, timeout",
                    "cache.redis.url: must name a host; got \"redis:///0\"; write redis://[user:password@]host[:port][/db]"
                            + " or rediss:// for TLS",
                    "cache.redis.ttl: must be greater than zero; got 0",
                    "cache.redis.timeout: must be a duration like 250ms, 5s, 10m, 1h; got \"fast\"");
            assertThat(problems("cache: { redis: \"redis://h/cache\" }\n")).containsExactly(
                    "cache.redis: the path is the database number, e.g. redis://host:6379/0; got \"redis://h/cache\";"
                            + " write redis://[user:password@]host[:port][/db] or rediss:// for TLS");
            assertThat(problems("cache: { redis: { prefix: x } }\n")).containsExactly(
                    "cache.redis: needs url, e.g. { url: \"redis://127.0.0.1:6379\" }");
            assertThat(problems("cache: { redis: [a] }\n")).containsExactly(
                    "cache.redis: must be a map like { url: \"redis://127.0.0.1:6379\" }, or the URL alone; got a list");
            assertThat(problems("cache: redis://h\n")).containsExactly(
                    "cache: must be a map like { redis: { url: \"redis://127.0.0.1:6379\" } }; got \"redis://h\"");
            assertThat(problems("cache: { redis: \"${REDIS_URL}\" }\n")).containsExactly(
                    "cache.redis: environment variable REDIS_URL is not set; set it, or give a default:"
                            + " ${REDIS_URL:-value}");
        }

        @Test
        void resultCacheKeysAtTheTopSayWhereTheyBelong() {
            assertThat(problems("cache: { ttl: 30s, maxEntries: 5, url: \"redis://h\" }\n")).satisfiesExactly(
                    p -> assertThat(p).isEqualTo("cache.ttl: the top-level cache holds redis only: a Redis entry's ttl"
                            + " is cache.redis.ttl; a result cache's ttl belongs in defaults.cache or"
                            + " servers.<name>.cache"),
                    p -> assertThat(p).isEqualTo("cache.maxEntries: a result cache setting, not the shared cache's;"
                            + " write it in defaults.cache (every server) or servers.<name>.cache"),
                    p -> assertThat(p).startsWith("cache.url: unknown key; did you mean 'redis.url'?"));
        }
    }

    @Nested
    class Environment {

        @Test
        void cacheAndServerKeysAreReachable() {
            McpPoolConfig config = yaml("""
                    servers:
                      files:
                        command: npx
                        tools:
                          read_file: { idempotent: true }
                          list: { cache: 1m }
                    """, Map.of(
                    "MCP_POOL__DEFAULTS__CACHE__TTL", "10s",
                    "MCP_POOL__DEFAULTS__CACHE__MAX_ENTRIES", "99",
                    "MCP_POOL__DEFAULTS__CATALOG_REFRESH", "5m",
                    "MCP_POOL__SERVERS__FILES__PREFIX", "fs",
                    "MCP_POOL__SERVERS__FILES__REQUIRED", "true",
                    "MCP_POOL__SERVERS__FILES__TOOLS__READ_FILE__CACHE__TTL", "5s",
                    "MCP_POOL__SERVERS__FILES__TOOLS__LIST__CACHE", "false",
                    "MCP_POOL__CACHE__REDIS__URL", "redis://cache:6379",
                    "MCP_POOL__CACHE__REDIS__TIMEOUT", "50ms"));
            ServerConfig files = server(config, "files");
            assertThat(files.cache()).isEqualTo(CacheSettings.ttl(Duration.ofSeconds(10)).withLimits(99,
                    CacheSettings.DEFAULT_MAX_BYTES));
            assertThat(files.catalogRefresh()).isEqualTo(Duration.ofMinutes(5));
            assertThat(files.prefix()).isEqualTo("fs");
            assertThat(files.required()).isTrue();
            assertThat(files.cache("read_file").ttl()).isEqualTo(Duration.ofSeconds(5));
            assertThat(files.cache("read_file").maxEntries()).isEqualTo(99);
            assertThat(files.cache("list").enabled()).isFalse();
            assertThat(config.sharedCache().redisUrl()).contains(URI.create("redis://cache:6379"));
            assertThat(config.sharedCache().timeout()).isEqualTo(Duration.ofMillis(50));
        }

        @Test
        void problemsNameTheVariable() {
            assertThat(problems("servers:\n  files: { command: npx }\n", Map.of(
                    "MCP_POOL__SERVERS__FILES__CACHE__TTL", "soon"))).containsExactly(
                    "servers.files.cache.ttl (from MCP_POOL__SERVERS__FILES__CACHE__TTL): must be a duration like 250ms,"
                            + " 5s, 10m, 1h; got \"soon\"");
            assertThat(problems("servers: {}\n", Map.of("MCP_POOL__CACHE__REDIS__URL", "http://h"))).containsExactly(
                    "cache.redis.url (from MCP_POOL__CACHE__REDIS__URL): must be a redis:// or rediss:// URL; got"
                            + " \"http://h\"; write redis://[user:password@]host[:port][/db] or rediss:// for TLS");
            assertThat(problems("servers: {}\n", Map.of("MCP_POOL__CACHE__REDIS__URI", "redis://h"))).singleElement()
                    .asString().startsWith("MCP_POOL__CACHE__REDIS__URI: redis has no key 'URI'; did you mean 'url'?");
        }
    }

    @Test
    void aToolOnlyListedHasNoCacheBlock() {
        ServerConfig s = server(yaml("servers:\n  a:\n    command: a\n    tools:\n      t:\n"), "a");
        assertThat(s.tool("t").cache()).isEmpty();
        assertThat(s.tools()).containsOnlyKeys("t");
        assertThat(List.copyOf(s.tools().values())).containsExactly(ToolConfig.DEFAULTS);
    }
}
