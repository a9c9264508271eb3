package io.mcppool.gateway.cli;

import static io.mcppool.gateway.cli.CliTestSupport.awaitNoChildProcesses;
import static io.mcppool.gateway.cli.CliTestSupport.run;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.gateway.cli.CliTestSupport.Run;
import io.mcppool.protocol.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The CLI end to end, in-process: the built-in config starts the real testkit stdio server on this
 * JVM's java and test classpath (${MCP_POOL_CLASSPATH}), so no mocks and no Node.
 */
class CliTest {

    @TempDir
    Path dir;

    @BeforeEach
    void noChildrenBefore() {
        awaitNoChildProcesses();
    }

    @AfterEach
    void noChildrenAfter() {
        awaitNoChildProcesses();
    }

    // ------------------------------------------------------------------ servers, tools

    @Test
    void serversListsTheBuiltInTestkitWithoutStartingIt() {
        Run r = run("servers");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.outLines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("testkit  stdio  java ")
                .contains("io.mcppool.testkit.TestkitServer")
                .contains("multiplexed, 1-2 sessions x 16 calls")
                .contains("trusted"));
        assertThat(r.err()).isEmpty();
        assertThat(CliTestSupport.liveChildren()).isEmpty();
    }

    @Test
    void toolsListsEveryTestkitToolWithFlagsOnLinesOfAtMost100() {
        Run r = run("tools", "testkit");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).matches("echo +read-only,idempotent +Returns the message.*"));
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).matches("crash +destructive +Ends the server.*"));
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).matches("record +- +Adds one.*"));
        assertThat(r.outLines()).hasSizeGreaterThanOrEqualTo(10).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void toolsJsonPrintsTheToolListAsTheServerSentIt() throws Exception {
        Run r = run("tools", "testkit", "--json");

        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode tools = Json.mapper().readTree(r.out());
        assertThat(tools.isArray()).isTrue();
        JsonNode echo = null;
        for (JsonNode t : tools) {
            if (t.path("name").asText().equals("echo")) {
                echo = t;
            }
        }
        assertThat(echo).isNotNull();
        assertThat(echo.at("/inputSchema/properties/message/type").asText()).isEqualTo("string");
        assertThat(echo.at("/annotations/readOnlyHint").asBoolean()).isTrue();
    }

    // ------------------------------------------------------------------ call

    @Test
    void callEchoPrintsTheText() {
        Run r = run("call", "testkit", "echo", "--arg", "message=hi");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("hi" + System.lineSeparator());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void callAddPrintsTextThenStructuredContent() throws Exception {
        Run r = run("call", "testkit", "add", "--arg", "a=2", "--arg", "b=3");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.outLines().get(0)).isEqualTo("5");
        String json = r.out().substring(r.out().indexOf('{'));
        assertThat(Json.mapper().readTree(json).path("sum").asInt()).isEqualTo(5);
    }

    @Test
    void callWithJsonArgumentsAndRawOutput() throws Exception {
        Run r = run("call", "testkit", "add", "--json", "{\"a\": 2, \"b\": 40}", "--arg", "a=0.5", "--raw");

        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode result = Json.mapper().readTree(r.out());
        assertThat(result.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(result.at("/content/0/text").asText()).isEqualTo("40.5");
        assertThat(result.at("/structuredContent/sum").asDouble()).isEqualTo(40.5);
    }

    @Test
    void aToolErrorIsPrintedAndExitsWith1() {
        Run r = run("call", "testkit", "fail", "--arg", "message=boom");

        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("boom");
        assertThat(r.err()).isEqualTo("mcp-pool: server 'testkit', tool 'fail': the tool reported an error (isError)"
                + System.lineSeparator());
    }

    @Test
    void anUnknownServerExitsWith3AndStartsNothing() {
        Run r = run("call", "nope", "echo", "--arg", "message=hi");

        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("mcp-pool: server 'nope': no server by this name; configured: testkit"
                + System.lineSeparator());
        assertThat(CliTestSupport.liveChildren()).isEmpty();
    }

    @Test
    void anUnknownToolExitsWith3WithAShortEndpointInTheMessage() {
        Run r = run("call", "testkit", "no_such_tool");

        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).startsWith("mcp-pool: server 'testkit' (java ... io.mcppool.testkit.TestkitServer),"
                + " tool 'no_such_tool': ").contains("no_such_tool");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void aTimeoutExitsWith4() {
        Run r = run("call", "testkit", "sleep", "--arg", "ms=20000", "--timeout", "3s");

        assertThat(r.code()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).startsWith("mcp-pool: server 'testkit'").contains("tool 'sleep'");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void verboseOnTheSubcommandPrintsTheStackTrace() {
        Run r = run("call", "nope", "echo", "-v");

        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).startsWith("mcp-pool: server 'nope'").contains("UnknownServerException").contains("\tat ");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("call", "testkit", "echo", "--arg", "message").code()).isEqualTo(2);
        assertThat(run("call", "testkit", "echo", "--json", "[1, 2]").code()).isEqualTo(2);
        assertThat(run("call", "testkit", "echo", "--json", "{nope").code()).isEqualTo(2);
        Run timeout = run("call", "testkit", "echo", "--timeout", "30");
        assertThat(timeout.code()).isEqualTo(2);
        assertThat(timeout.err()).contains("'30': a bare number is not a duration; add a unit, e.g. 30s");
        Run unknown = run("frobnicate");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("mcp-pool: Unmatched argument");
        assertThat(CliTestSupport.liveChildren()).isEmpty();
    }

    // ------------------------------------------------------------------ resources, prompts

    @Test
    void resourcesReadAndPrompts() {
        Run resources = run("resources", "testkit");
        assertThat(resources.code()).as(resources.toString()).isZero();
        assertThat(resources.outLines()).anySatisfy(l -> assertThat(l).matches("testkit://hello +text/plain +hello.*"));

        Run read = run("read", "testkit", "testkit://hello");
        assertThat(read.code()).as(read.toString()).isZero();
        assertThat(read.out()).isNotBlank();

        Run prompts = run("prompts", "testkit");
        assertThat(prompts.code()).as(prompts.toString()).isZero();
        assertThat(prompts.outLines()).anySatisfy(l -> assertThat(l).matches("greeting +name\\* +.*"));

        Run prompt = run("prompt", "testkit", "greeting", "--arg", "name=Ada");
        assertThat(prompt.code()).as(prompt.toString()).isZero();
        assertThat(prompt.out()).contains("[user]").contains("Ada");
    }

    // ------------------------------------------------------------------ config

    @Test
    void checkConfigAcceptsAGoodFile() throws Exception {
        Path file = dir.resolve("good.yaml");
        Files.writeString(file, """
                servers:
                  files:
                    command: /usr/bin/env
                    args: [my-server, --root, /srv/data]
                    pool: { maxSessions: 3 }
                  remote:
                    url: https://user:secret@mcp.example.com/mcp?token=abc
                """);

        Run r = run("check-config", file.toString());

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.outLines().get(0)).isEqualTo("OK: 2 servers (" + file + ")");
        assertThat(r.out()).contains("files   stdio  env my-server --root /srv/data")
                .contains("remote  http   https://mcp.example.com/mcp?...")
                .doesNotContain("secret").doesNotContain("abc");
    }

    @Test
    void checkConfigShowsTheEndpointsOfAServerWithSeveral() throws Exception {
        Path file = dir.resolve("replicas.yaml");
        Files.writeString(file, """
                servers:
                  search:
                    balance: priority
                    endpoints:
                      - { name: one, url: "https://s1.example.com/mcp?key=secret", weight: 2 }
                      - { url: "http://s2.example.com/mcp" }
                      - { command: java, args: [-jar, search-server.jar], tier: 1 }
                """);

        Run r = run("check-config", file.toString());

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).matches("  search +mixed +3 endpoints \\(priority\\) +.*"));
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l)
                .matches("    one +http +https://s1.example.com/mcp\\?\\.\\.\\. +weight 2"));
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).matches("    #1 +http +http://s2.example.com/mcp"));
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l)
                .matches("    #2 +stdio +java -jar search-server.jar +tier 1"));
        assertThat(r.out()).doesNotContain("secret");
    }

    @Test
    void checkConfigPrintsEveryProblemAndExitsWith2() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                servers:
                  files:
                    comand: my-server
                    pool: { maxSessions: lots }
                """);

        Run r = run("check-config", file.toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).startsWith("servers.files.comand: ").contains("command"));
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).startsWith("servers.files.pool.maxSessions: ")
                .contains("lots"));
        assertThat(r.err()).startsWith("mcp-pool: " + file + " is not valid: ");
    }

    @Test
    void checkConfigMakesTheChecksOfServeToo() throws Exception {
        Files.writeString(dir.resolve("broken.pem"), "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n");
        Path file = dir.resolve("keys.yaml");
        Files.writeString(file, """
                servers:
                  files: { command: my-server }
                gateway:
                  auth:
                    jwt: { publicKeyFile: broken.pem }
                """);

        Run r = run("check-config", file.toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.outLines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("gateway.auth.jwt.publicKeyFile: ").contains("broken.pem"));
    }

    @Test
    void checkConfigOnAMissingFileExitsWith2() {
        Run r = run("check-config", dir.resolve("missing.toml").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).contains("file not found");
    }

    @Test
    void anyCommandWithAnInvalidConfigExitsWith2AndListsTheProblems() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"mcpServers\": {\"x\": {\"command\": 42, \"pool\": {\"minSessions\": -1}}}}");

        Run r = run("tools", "x", "--config", file.toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("mcp-pool: invalid configuration: ").contains("minSessions");
        assertThat(CliTestSupport.liveChildren()).isEmpty();
    }

    @Test
    void aConfigFileIsUsedByEveryCommand() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path file = dir.resolve("mcp-pool.toml");
        Files.writeString(file, """
                [servers.kit]
                command = "${MCP_POOL_JAVA}"
                args = ["-cp", "${MCP_POOL_CLASSPATH}", "io.mcppool.testkit.TestkitServer"]
                pool = { minSessions = 0, maxSessions = 1 }
                """);

        Run servers = run("--config", file.toString(), "servers");
        assertThat(servers.code()).as(servers.toString()).isZero();
        assertThat(servers.out()).startsWith("kit  stdio  " + Path.of(java).getFileName() + " ")
                .contains("io.mcppool.testkit.TestkitServer  multiplexed, 0-1 sessions x 16 calls");

        Run call = run("call", "kit", "echo", "-c", file.toString(), "--arg", "message=from toml");
        assertThat(call.code()).as(call.toString()).isZero();
        assertThat(call.out()).isEqualTo("from toml" + System.lineSeparator());
    }

    // ------------------------------------------------------------------ demo, help, version

    @Test
    void demoListsCallsAndShowsThePool() {
        Run r = run("demo");

        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out())
                .contains("$ mcp-pool servers")
                .contains("$ mcp-pool tools testkit")
                .contains("hello from mcp-pool")
                .contains("(echo in ")
                .contains("(add in ")
                .contains("SESSIONS OPEN");
        assertThat(r.outLines()).anySatisfy(l -> assertThat(l).matches("testkit +java \\.\\.\\. \\S+ +multiplexed +1 +0 +1 +0"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Run r = run("--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("servers", "tools", "call", "check-config", "demo", "Exit codes:",
                "unknown server or tool");
        Run call = run("call", "--help");
        assertThat(call.code()).isZero();
        assertThat(call.out()).contains("--arg", "--timeout", "Exit codes:", "--config", "--verbose");
    }

    @Test
    void noCommandIsAUsageError() {
        Run r = run();

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("mcp-pool: a command is needed").contains("Commands:");
    }

    @Test
    void versionNamesTheBuild() {
        Run r = run("--version");

        assertThat(r.code()).isZero();
        assertThat(r.outLines().get(0)).matches("mcp-pool \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void theBundledLogbackConfigurationLoadsWithoutErrors() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(s -> s.getLevel() >= Status.WARN);
        assertThat(context.getLogger("ROOT").getLevel()).hasToString("WARN");
    }
}
