package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each message is asserted whole: they are the loader's user interface. */
class ConfigLoaderValidationTest {

    private static String server(String body) {
        return "servers:\n  files:\n    command: npx\n" + body.indent(4);
    }

    @Test
    void wrongTypeForAWholeNumber() {
        assertThat(problems(server("pool: { maxSessions: lots }")))
                .containsExactly("servers.files.pool.maxSessions: must be a whole number from 1 to 10000; got \"lots\"");
        assertThat(problems(server("pool: { maxSessions: 2.5 }")))
                .containsExactly("servers.files.pool.maxSessions: must be a whole number from 1 to 10000; got 2.5");
        assertThat(problems(server("pool: { maxSessions: [1] }")))
                .containsExactly("servers.files.pool.maxSessions: must be a whole number from 1 to 10000; got a list");
    }

    @Test
    void numbersWrittenAsStringsAreAccepted() {
        McpPoolConfig config = yaml(server("pool: { minSessions: \"2\", maxSessions: \" 3 \" }\ntrusted: \"TRUE\""));
        assertThat(config.servers().get("files").pool().maxSessions()).isEqualTo(3);
        assertThat(config.servers().get("files").trusted()).isTrue();
    }

    @Test
    void outOfRangeSizes() {
        assertThat(problems(server("pool: { maxSessions: -2 }")))
                .containsExactly("servers.files.pool.maxSessions: must be a whole number from 1 to 10000; got -2");
        assertThat(problems(server("pool: { minSessions: -1, maxConcurrentRequests: 100001 }"))).containsExactly(
                "servers.files.pool.minSessions: must be a whole number from 0 to 10000; got -1",
                "servers.files.pool.maxConcurrentRequests: must be a whole number from 1 to 100000; got 100001");
        assertThat(problems(server("pool: { maxSessions: 99999999999999999999 }")))
                .containsExactly("servers.files.pool.maxSessions: must be a whole number from 1 to 10000;"
                        + " got 99999999999999999999");
    }

    @Test
    void unknownKeySuggestsTheClosestOne() {
        assertThat(problems(server("pool: { maxSesions: 2 }"))).containsExactly(
                "servers.files.pool.maxSesions: unknown key; did you mean 'maxSessions'? allowed: mode, minSessions,"
                        + " maxSessions, maxConcurrentRequests, acquireTimeout, idleTimeout, maxLifetime,"
                        + " keepaliveInterval, validateAfterIdle");
        assertThat(problems(server("callTimout: 5s"))).singleElement().asString()
                .startsWith("servers.files.callTimout: unknown key; did you mean 'callTimeout'? allowed: type,");
        assertThat(problems("server:\n  files: {command: x}\n")).singleElement().asString()
                .startsWith("server: unknown key; did you mean 'servers'? allowed: defaults, servers, mcpServers,");
    }

    @Test
    void unknownKeyWithNothingCloseListsWhatIsAllowed() {
        assertThat(problems(server("pool: { colour: red }"))).containsExactly(
                "servers.files.pool.colour: unknown key; allowed: mode, minSessions, maxSessions,"
                        + " maxConcurrentRequests, acquireTimeout, idleTimeout, maxLifetime, keepaliveInterval,"
                        + " validateAfterIdle");
    }

    @Test
    void aKeyInTheWrongPlaceSaysWhereItBelongs() {
        assertThat(problems(server("maxSessions: 2"))).singleElement().asString()
                .startsWith("servers.files.maxSessions: unknown key; did you mean 'pool.maxSessions'? allowed:");
        assertThat(problems("callTimeout: 5s\n")).singleElement().asString()
                .startsWith("callTimeout: unknown key; did you mean 'defaults.callTimeout'? allowed:");
        assertThat(problems(server("pool: { callTimeout: 5s }"))).containsExactly(
                "servers.files.pool.callTimeout: not a pool setting; it belongs one level up, next to pool");
        assertThat(problems("defaults:\n  tools: { a: { idempotent: true } }\n")).containsExactly(
                "defaults.tools: not allowed in defaults; tool settings belong to one server (servers.<name>.tools)");
        assertThat(problems("defaults:\n  command: npx\n")).containsExactly(
                "defaults.command: not allowed in defaults; each server gives its own");
    }

    @Test
    void theKeysOnceReservedForLaterVersionsAreRead() {
        McpPoolConfig config = yaml("""
                servers:
                  files:
                    command: npx
                    tools:
                      read_file: { idempotent: true, cache: { ttl: 30s } }
                gateway: { port: 8080 }
                cache: { redis: { url: "redis://x" } }
                """);
        assertThat(config.gateway().port()).isEqualTo(8080);
        assertThat(config.sharedCache().redisUrl()).contains(java.net.URI.create("redis://x"));
        assertThat(config.servers().get("files").cache("read_file").ttl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void durations() {
        assertThat(problems(server("callTimeout: 30"))).containsExactly(
                "servers.files.callTimeout: a bare number is not a duration; got 30; add a unit, e.g. 30s");
        assertThat(problems(server("callTimeout: \"30\""))).containsExactly(
                "servers.files.callTimeout: a bare number is not a duration; got \"30\"; add a unit, e.g. 30s");
        assertThat(problems(server("callTimeout: fast"))).containsExactly(
                "servers.files.callTimeout: must be a duration like 250ms, 5s, 10m, 1h; got \"fast\"");
        assertThat(problems(server("callTimeout: -5s"))).containsExactly(
                "servers.files.callTimeout: must not be negative; got \"-5s\"");
        assertThat(problems(server("callTimeout: 0"))).containsExactly(
                "servers.files.callTimeout: must be greater than zero; got 0");
        assertThat(problems(server("pool: { acquireTimeout: 0s }"))).containsExactly(
                "servers.files.pool.acquireTimeout: must be greater than zero; got \"0s\"");
        assertThat(problems("housekeepingInterval: 0\n")).containsExactly(
                "housekeepingInterval: must be greater than zero; got 0");
    }

    @Test
    void zeroDisablesWhereTheFieldSaysSo() {
        PoolSettings pool = yaml(server("pool: { maxLifetime: 0, keepaliveInterval: 0s, validateAfterIdle: 0ms }"))
                .servers().get("files").pool();
        assertThat(pool.maxLifetime()).isZero();
        assertThat(pool.keepaliveInterval()).isZero();
        assertThat(pool.validateAfterIdle()).isZero();
        assertThat(yaml("shutdownGrace: 0\n").shutdownGrace()).isZero();
    }

    @Test
    void sizes() {
        assertThat(problems(server("maxMessageSize: 2GB"))).containsExactly(
                "servers.files.maxMessageSize: must be at most 2147483647 bytes (2GiB less one byte); got \"2GB\"");
        assertThat(problems(server("maxMessageSize: 100"))).containsExactly(
                "servers.files.maxMessageSize: must be at least 1024 bytes; got 100");
        assertThat(problems(server("maxMessageSize: big"))).containsExactly(
                "servers.files.maxMessageSize: must be a size like 1048576, 512KB, 16MB, 1MiB; got \"big\"");
        assertThat(problems(server("maxMessageSize: -1MB"))).containsExactly(
                "servers.files.maxMessageSize: must not be negative; got \"-1MB\"");
        assertThat(yaml(server("maxMessageSize: 1048576")).servers().get("files").maxMessageBytes()).isEqualTo(1048576);
        assertThat(yaml(server("maxMessageSize: 512KB")).servers().get("files").maxMessageBytes()).isEqualTo(524288);
    }

    @Test
    void booleansAndModes() {
        assertThat(problems(server("trusted: maybe"))).containsExactly(
                "servers.files.trusted: must be true or false; got \"maybe\"");
        assertThat(problems(server("pool: { mode: pooled }"))).containsExactly(
                "servers.files.pool.mode: must be one of multiplexed, exclusive, sticky; got \"pooled\"");
        assertThat(yaml(server("pool: { mode: Exclusive }")).servers().get("files").pool().mode())
                .isEqualTo(PoolMode.EXCLUSIVE);
    }

    @Test
    void missingCommandAndUrl() {
        assertThat(problems("servers:\n  x:\n    args: [a]\n")).containsExactly(
                "servers.x: needs command (a local stdio server) or url (a Streamable HTTP server); got neither");
        assertThat(problems("servers:\n  x:\n")).containsExactly(
                "servers.x: must be a map with command (a local stdio server) or url (a Streamable HTTP server);"
                        + " got null");
        assertThat(problems("servers:\n  x: npx\n")).containsExactly(
                "servers.x: must be a map with command (a local stdio server) or url (a Streamable HTTP server);"
                        + " got \"npx\"");
        assertThat(problems(server("command: \"  \"").replace("    command: npx\n", ""))).containsExactly(
                "servers.files.command: must not be empty; got \"  \"");
    }

    @Test
    void bothCommandAndUrl() {
        assertThat(problems("servers:\n  x: { command: npx, url: \"https://a.example.com/mcp\" }\n")).containsExactly(
                "servers.x: has both command and url; give command for a local stdio server or url for a"
                        + " Streamable HTTP server, not both");
    }

    @Test
    void stdioKeysWithUrlAndHttpKeysWithCommand() {
        assertThat(problems("""
                servers:
                  x: { url: "https://a.example.com/mcp", args: [a], env: { A: b }, cwd: /tmp, shutdownGrace: 1s }
                  y: { command: npx, headers: { A: b } }
                """)).containsExactly(
                "servers.x.args: only for stdio servers (with command); this server has url",
                "servers.x.env: only for stdio servers (with command); this server has url",
                "servers.x.cwd: only for stdio servers (with command); this server has url",
                "servers.x.shutdownGrace: only for stdio servers (with command); this server has url",
                "servers.y.headers: only for Streamable HTTP servers (with url); this server has command");
    }

    @Test
    void typeMustAgreeWithTheEndpoint() {
        assertThat(problems("servers:\n  x: { type: http, command: npx }\n")).containsExactly(
                "servers.x.type: declares an HTTP server, but the server has command; got \"http\";"
                        + " use url for a Streamable HTTP server, or type stdio");
        assertThat(problems("servers:\n  x: { transport: stdio, url: \"http://a/mcp\" }\n")).containsExactly(
                "servers.x.transport: declares a stdio server, but the server has url; got \"stdio\";"
                        + " use command for a stdio server, or type http");
        assertThat(problems("servers:\n  x: { type: websocket, url: \"http://a/mcp\" }\n")).containsExactly(
                "servers.x.type: must be one of stdio, http, streamable-http, streamableHttp; got \"websocket\"");
        assertThat(problems("servers:\n  x: { type: sse, url: \"http://a/sse\" }\n")).containsExactly(
                "servers.x.type: legacy SSE transport is not supported yet; got \"sse\"; use the Streamable HTTP URL");
    }

    @Test
    void urls() {
        assertThat(problems("servers:\n  x: { url: \"ftp://a.example.com/mcp\" }\n")).containsExactly(
                "servers.x.url: must be an http:// or https:// URL; got \"ftp://a.example.com/mcp\";"
                        + " write an http:// or https:// URL, e.g. https://mcp.example.com/mcp");
        assertThat(problems("servers:\n  x: { url: \"localhost:8080/mcp\" }\n")).singleElement().asString()
                .startsWith("servers.x.url: must be an http:// or https:// URL; got \"localhost:8080/mcp\"");
        assertThat(problems("servers:\n  x: { url: \"http://a b/mcp\" }\n")).singleElement().asString()
                .startsWith("servers.x.url: is not a valid URL (Illegal character in authority)");
    }

    @Test
    void badServerNames() {
        assertThat(problems("servers:\n  \"my server\": { command: npx }\n")).containsExactly(
                "servers[\"my server\"]: a server name must be 1 to 64 letters, digits, _ or -; got \"my server\"");
        String longName = "a".repeat(65);
        assertThat(problems("servers:\n  " + longName + ": { command: npx }\n")).containsExactly(
                "servers." + longName + ": a server name must be 1 to 64 letters, digits, _ or -; got \""
                        + longName + "\"");
        assertThat(problems("servers:\n  \"a.b\": { command: npx }\n")).singleElement().asString()
                .startsWith("servers[\"a.b\"]: a server name must be");
        assertThat(yaml("servers:\n  " + "a".repeat(64) + ": { command: npx }\n  My_Server-2: { command: x }\n")
                .servers()).hasSize(2);
    }

    @Test
    void minSessionsAboveMaxSessions() {
        assertThat(problems(server("pool: { minSessions: 9, maxSessions: 4 }"))).containsExactly(
                "servers.files.pool.minSessions: must not exceed maxSessions (4); got 9");
        assertThat(problems(server("pool: { minSessions: 9 }"))).containsExactly(
                "servers.files.pool.minSessions: must not exceed maxSessions (4, the default); got 9");
    }

    @Test
    void minAboveMaxAcrossDefaultsSaysWhereEachSideWasWritten() {
        assertThat(problems("""
                defaults: { pool: { minSessions: 6 } }
                servers:
                  a: { command: a, pool: { maxSessions: 2 } }
                  b: { command: b, pool: { maxSessions: 8 } }
                """)).containsExactly(
                "servers.a.pool.minSessions: must not exceed maxSessions (2); got 6 from defaults.pool.minSessions");
        // Wrong in defaults alone: said once, at defaults, however many servers inherit it.
        assertThat(problems("""
                defaults: { pool: { minSessions: 6 } }
                servers:
                  a: { command: a }
                  b: { command: b }
                """)).containsExactly("defaults.pool.minSessions: must not exceed maxSessions (4, the default); got 6");
    }

    @Test
    void aWrongSizeDoesNotAlsoCauseAComparisonProblem() {
        assertThat(problems(server("pool: { minSessions: 9, maxSessions: lots }"))).containsExactly(
                "servers.files.pool.maxSessions: must be a whole number from 1 to 10000; got \"lots\"");
    }

    @Test
    void wrongShapes() {
        assertThat(problems("- a\n- b\n")).containsExactly(
                "(top level): must be a map with servers (or mcpServers) and, optionally, defaults; got a list");
        assertThat(problems("servers: [a, b]\n")).containsExactly(
                "servers: must be a map from server name to server settings; got a list");
        assertThat(problems("defaults: 5s\n")).containsExactly(
                "defaults: must be a map of settings every server inherits; got \"5s\"");
        assertThat(problems(server("pool: 4"))).containsExactly(
                "servers.files.pool: must be a map of pool settings, e.g. { maxSessions: 4 }; got 4");
        assertThat(problems(server("args: \"-y pkg\""))).containsExactly(
                "servers.files.args: must be a list of strings; got \"-y pkg\"");
        assertThat(problems(server("args: [a, {b: c}, null]"))).containsExactly(
                "servers.files.args[1]: must be a string; got a map",
                "servers.files.args[2]: must be a string; got null");
        assertThat(problems(server("env: { A: null, B: [x] }"))).containsExactly(
                "servers.files.env.A: must be a string; got null",
                "servers.files.env.B: must be a string; got a list");
        assertThat(problems(server("tools: { read_file: true }"))).containsExactly(
                "servers.files.tools.read_file: must be a map like { idempotent: true, readOnly: true }; got true");
        assertThat(problems(server("roots: [relative/path, { name: x }, 5]"))).containsExactly(
                "servers.files.roots[0]: must be an absolute URI; got \"relative/path\"; e.g. file:///srv/data",
                "servers.files.roots[1]: needs uri, e.g. { uri: file:///srv/data, name: data }",
                "servers.files.roots[2]: must be an absolute URI; got 5; e.g. file:///srv/data");
        assertThat(problems(server("tools: { read_file: { idempotnet: true } }"))).containsExactly(
                "servers.files.tools.read_file.idempotnet: unknown key; did you mean 'idempotent'?"
                        + " allowed: idempotent, readOnly, retry, cache");
    }

    @Test
    void scalarsAreAcceptedWhereStringsAreExpected() {
        EndpointConfig.Stdio stdio = (EndpointConfig.Stdio) yaml(server("args: [--port, 8080, --debug, true]\n"
                + "env: { N: 1, B: false }")).servers().get("files").endpoint();
        assertThat(stdio.args()).containsExactly("--port", "8080", "--debug", "true");
        assertThat(stdio.env()).containsEntry("N", "1").containsEntry("B", "false");
    }

    @Test
    void headerValuesMustNotSmuggleLineBreaks() {
        assertThat(problems("servers:\n  x: { url: \"http://a/mcp\", headers: { A: \"b\\r\\nX-Evil: 1\" } }\n"))
                .containsExactly("servers.x.headers.A: must not contain a line break");
    }

    @Test
    void hostTimeoutIsMillisecondsAndMustNotConflict() {
        assertThat(yaml("mcpServers:\n  x: { command: a, timeout: 1500 }\n").servers().get("x").callTimeout())
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(problems("mcpServers:\n  x: { command: a, timeout: 5000, callTimeout: 5s }\n")).containsExactly(
                "mcpServers.x.timeout: conflicts with callTimeout; got 5000; give one of them");
        assertThat(problems("mcpServers:\n  x: { command: a, timeout: 0 }\n")).containsExactly(
                "mcpServers.x.timeout: must be greater than zero; got 0");
        assertThat(problems("mcpServers:\n  x: { command: a, disabled: sometimes }\n")).containsExactly(
                "mcpServers.x.disabled: must be true or false; got \"sometimes\"");
    }

    @Test
    void aDisabledServerIsNotCheckedAtAll() {
        assertThat(yaml("mcpServers:\n  x: { disabled: true, url: \"${NOT_SET}\", pool: { maxSessions: -1 } }\n")
                .servers()).isEmpty();
    }

    @Test
    void missingVariableNamesThePathAndTheVariable() {
        assertThat(problems("""
                servers:
                  github:
                    url: https://mcp.example.com/mcp
                    headers: { Authorization: "Bearer ${GITHUB_TOKEN}" }
                """)).containsExactly("servers.github.headers.Authorization: environment variable GITHUB_TOKEN is"
                + " not set; got \"Bearer ${GITHUB_TOKEN}\"; set it, or give a default: ${GITHUB_TOKEN:-value}");
    }

    @Test
    void variablesWorkInEveryStringValue() {
        Map<String, String> env = Map.of("BIN", "/usr/bin/node", "DIR", "/srv", "T", "45s", "HOST", "h.example.com");
        McpPoolConfig config = yaml("""
                servers:
                  a:
                    command: ${BIN}
                    args: ["${DIR}/index.js", "${PORT:-3000}"]
                    env: { ROOT: "${DIR}", LEVEL: "${LEVEL:-info}" }
                    cwd: ${DIR}
                    callTimeout: ${T}
                  b:
                    url: https://${HOST}/mcp
                """, env);
        EndpointConfig.Stdio a = (EndpointConfig.Stdio) config.servers().get("a").endpoint();
        assertThat(a.command()).isEqualTo("/usr/bin/node");
        assertThat(a.args()).containsExactly("/srv/index.js", "3000");
        assertThat(a.env()).containsEntry("ROOT", "/srv").containsEntry("LEVEL", "info");
        assertThat(a.cwd()).contains(java.nio.file.Path.of("/srv"));
        assertThat(config.servers().get("a").callTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.servers().get("b").endpoint().describe()).isEqualTo("https://h.example.com/mcp");
    }

    @Test
    void aSubstitutedValueThatIsWrongShowsBothForms() {
        assertThat(problems(server("callTimeout: ${T}"), Map.of("T", "soon"))).containsExactly(
                "servers.files.callTimeout: must be a duration like 250ms, 5s, 10m, 1h; got \"soon\" (from \"${T}\")");
    }

    @Test
    void everyProblemIsReportedTogether() {
        assertThat(problems("""
                defaults:
                  callTimeout: 30
                  retry: { maxAttempts: 0 }
                servers:
                  files:
                    command: npx
                    pool: { maxSesions: 2, minSessions: -1 }
                  github:
                    url: https://mcp.example.com/mcp
                    command: x
                  "bad name":
                    url: https://a.example.com/mcp
                    callTimeout: fast
                housekeepingInterval: soon
                """)).containsExactly(
                "housekeepingInterval: must be a duration like 250ms, 5s, 10m, 1h; got \"soon\"",
                "defaults.callTimeout: a bare number is not a duration; got 30; add a unit, e.g. 30s",
                "defaults.retry.maxAttempts: must be a whole number from 1 to 100; got 0",
                "servers.files.pool.maxSesions: unknown key; did you mean 'maxSessions'? allowed: mode, minSessions,"
                        + " maxSessions, maxConcurrentRequests, acquireTimeout, idleTimeout, maxLifetime,"
                        + " keepaliveInterval, validateAfterIdle",
                "servers.files.pool.minSessions: must be a whole number from 0 to 10000; got -1",
                "servers.github: has both command and url; give command for a local stdio server or url for a"
                        + " Streamable HTTP server, not both",
                "servers[\"bad name\"]: a server name must be 1 to 64 letters, digits, _ or -; got \"bad name\"",
                "servers[\"bad name\"].callTimeout: must be a duration like 250ms, 5s, 10m, 1h; got \"fast\"");
    }
}
