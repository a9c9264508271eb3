package io.mcppool.config;

import static io.mcppool.config.ConfigTestSupport.problems;
import static io.mcppool.config.ConfigTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a stdio server's environment is made of (issue 12): the short list, inheritEnv, env; never the gateway's keys. */
class ChildEnvironmentTest {
    private static final Map<String, String> PARENT = Map.of(
            "PATH", "/usr/bin:/bin", "HOME", "/home/gw", "LANG", "C.UTF-8",
            "JWT_SECRET", "jwt-secret", "OPS_KEY", "ops-key", "DB_PASSWORD", "db-password",
            "AWS_REGION", "eu-1", "AWS_SECRET_ACCESS_KEY", "aws-secret", "BASH_FUNC_f%%", "() { echo hi; }",
            "AWS_FN", "() { :; }");

    private static EndpointConfig.Stdio stdio(Map<String, String> env, List<String> inherit, Set<String> withheld) {
        return new EndpointConfig.Stdio("server", List.of(), env, Optional.empty(), Duration.ofSeconds(2), inherit,
                withheld);
    }

    @Test
    void byDefaultOnlyTheShortListPlusTheEnvBlock() {
        Map<String, String> env = ChildEnvironment.of(stdio(Map.of("OWN", "own", "HOME", "/srv/home"), List.of(),
                Set.of()), PARENT);

        assertThat(env).containsOnly(Map.entry("PATH", "/usr/bin:/bin"), Map.entry("LANG", "C.UTF-8"),
                Map.entry("HOME", "/srv/home"), Map.entry("OWN", "own"));
    }

    @Test
    void inheritEnvAddsNamesAndPatternsButAPatternNeverPassesAWithheldVariableOrAShellFunction() {
        Map<String, String> env = ChildEnvironment.of(stdio(Map.of(), List.of("DB_PASSWORD", "AWS_*"),
                Set.of("AWS_SECRET_ACCESS_KEY", "JWT_SECRET")), PARENT);

        assertThat(env).containsEntry("DB_PASSWORD", "db-password").containsEntry("AWS_REGION", "eu-1")
                .doesNotContainKeys("AWS_SECRET_ACCESS_KEY", "AWS_FN", "JWT_SECRET", "OPS_KEY");
    }

    @Test
    void everythingButTheWithheldWithAStar() {
        Map<String, String> env = ChildEnvironment.of(stdio(Map.of(), List.of("*"), Set.of("JWT_SECRET", "OPS_KEY")),
                PARENT);

        assertThat(env).containsKeys("PATH", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY")
                .doesNotContainKeys("JWT_SECRET", "OPS_KEY", "BASH_FUNC_f%%");
    }

    @Test
    void aWithheldVariableNamedExactlyIsPassedAndTheDefaultListNeverPassesOne() {
        Map<String, String> env = ChildEnvironment.of(stdio(Map.of(), List.of("JWT_SECRET"), Set.of("JWT_SECRET",
                "HOME")), PARENT);

        assertThat(env).containsEntry("JWT_SECRET", "jwt-secret").doesNotContainKey("HOME");
    }

    @Test
    void theLoaderWithholdsWhatTheGatewaysAuthAndSharedCacheReferAndWarnsWhenAServerNamesIt() {
        Map<String, String> vars = Map.of("OPS_KEY", "ops-key-0123456789-0123456789", "JWT_SECRET",
                "jwt-secret-0123456789-0123456789-0123", "REDIS_PW", "redis-pw", "FALLBACK", "x",
                "MCP_POOL__GATEWAY__AUTH__ANONYMOUS_ALLOW", "[\"*\"]");
        java.util.concurrent.atomic.AtomicReference<McpPoolConfig> loaded = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> warnings = ConfigTestSupport.warnings(() -> loaded.set(yaml("""
                servers:
                  files:
                    command: server
                    inheritEnv: [OPS_KEY, "AWS_*"]
                    env: { SECRET_COPY: "${JWT_SECRET}" }
                  web:
                    url: https://mcp.example.com/mcp
                    headers: { Authorization: "Bearer ${OPS_KEY}" }
                gateway:
                  auth:
                    apiKeys: [ { name: ops, key: "${OPS_KEY}", allow: ["*"] } ]
                    jwt: { secret: "${JWT_SECRET:-${FALLBACK}}" }
                cache:
                  redis: "redis://:${REDIS_PW}@127.0.0.1:6379"
                """, vars)));

        EndpointConfig.Stdio files = (EndpointConfig.Stdio) loaded.get().servers().get("files").endpoint();
        assertThat(files.withheld()).containsExactlyInAnyOrder("OPS_KEY", "JWT_SECRET", "FALLBACK", "REDIS_PW",
                "MCP_POOL__GATEWAY__AUTH__ANONYMOUS_ALLOW");
        assertThat(files.inheritEnv()).containsExactly("OPS_KEY", "AWS_*");
        assertThat(warnings).anySatisfy(m -> assertThat(m).contains("servers.files.inheritEnv[0]", "OPS_KEY"))
                .anySatisfy(m -> assertThat(m).contains("servers.files.env.SECRET_COPY", "JWT_SECRET"))
                .anySatisfy(m -> assertThat(m).contains("servers.web.headers.Authorization", "OPS_KEY"));
    }

    @Test
    void anOverrideSetsInheritEnvAsAList() {
        McpPoolConfig config = yaml("servers:\n  files: { command: server }\n",
                Map.of("MCP_POOL__SERVERS__FILES__INHERIT_ENV", "[GITHUB_TOKEN, \"AWS_*\"]"));

        assertThat(((EndpointConfig.Stdio) config.servers().get("files").endpoint()).inheritEnv())
                .containsExactly("GITHUB_TOKEN", "AWS_*");
    }

    @Test
    void inheritEnvEntriesAreNamesOrPrefixPatternsAndOnlyForStdio() {
        assertThat(problems("""
                servers:
                  a: { command: server, inheritEnv: ["AWS_*", "BAD-NAME", "*_KEY"] }
                  b: { command: server, inheritEnv: GITHUB_TOKEN }
                  c: { url: "https://mcp.example.com/mcp", inheritEnv: [X] }
                defaults: { inheritEnv: [X] }
                """)).anySatisfy(p -> assertThat(p).startsWith("servers.a.inheritEnv[1]: must be a variable name"))
                .anySatisfy(p -> assertThat(p).startsWith("servers.a.inheritEnv[2]: must be a variable name"))
                .anySatisfy(p -> assertThat(p).startsWith("servers.b.inheritEnv: must be a list"))
                .anySatisfy(p -> assertThat(p).startsWith("servers.c.inheritEnv: only for stdio servers"))
                .anySatisfy(p -> assertThat(p).startsWith("defaults.inheritEnv: not allowed in defaults"));
    }
}
