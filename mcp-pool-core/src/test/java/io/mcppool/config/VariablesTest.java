package io.mcppool.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VariablesTest {
    private final Variables vars = new Variables(Map.of("HOME", "/home/me", "EMPTY", "", "TOKEN", "t0k"));

    @Test
    void substitutesSetVariables() {
        assertThat(vars.expand("${HOME}/data")).isEqualTo("/home/me/data");
        assertThat(vars.expand("Bearer ${TOKEN}")).isEqualTo("Bearer t0k");
        assertThat(vars.expand("${HOME}:${TOKEN}")).isEqualTo("/home/me:t0k");
        assertThat(vars.expand("no variables")).isEqualTo("no variables");
    }

    @Test
    void aDefaultIsUsedWhenUnsetOrEmpty() {
        assertThat(vars.expand("${NOPE:-x}")).isEqualTo("x");
        assertThat(vars.expand("${EMPTY:-x}")).isEqualTo("x");
        assertThat(vars.expand("${HOME:-x}")).isEqualTo("/home/me");
        assertThat(vars.expand("${NOPE:-}")).isEmpty();
        assertThat(vars.expand("${NOPE:-${HOME}/d}")).isEqualTo("/home/me/d");
        assertThat(vars.expand("${NOPE:-a:-b}")).isEqualTo("a:-b");
    }

    @Test
    void aSetButEmptyVariableWithoutDefaultIsEmpty() {
        assertThat(vars.expand("[${EMPTY}]")).isEqualTo("[]");
    }

    @Test
    void dollarDollarBraceIsALiteral() {
        assertThat(vars.expand("$${HOME}")).isEqualTo("${HOME}");
        assertThat(vars.expand("echo $HOME $1")).isEqualTo("echo $HOME $1");
        assertThat(vars.expand("cost: 5$")).isEqualTo("cost: 5$");
    }

    @Test
    void unsetVariablesAreAllNamed() {
        assertThatThrownBy(() -> vars.expand("${A}-${B}-${A}"))
                .isInstanceOfSatisfying(BadValue.class, e -> {
                    assertThat(e.whatIsWrong()).isEqualTo("environment variables A, B are not set");
                    assertThat(e.allowed()).isEqualTo("set it, or give a default: ${A:-value}");
                });
        assertThatThrownBy(() -> vars.expand("${GITHUB_TOKEN}"))
                .hasMessage("environment variable GITHUB_TOKEN is not set");
    }

    @Test
    void defaultsNestUpToTheBound() {
        String nested = "${NOPE:-".repeat(Variables.MAX_NESTING) + "x" + "}".repeat(Variables.MAX_NESTING);
        assertThat(vars.expand(nested)).isEqualTo("x");
        String deeper = "${NOPE:-".repeat(Variables.MAX_NESTING + 1) + "x" + "}".repeat(Variables.MAX_NESTING + 1);
        assertThatThrownBy(() -> vars.expand(deeper)).isInstanceOfSatisfying(BadValue.class, e -> {
            assertThat(e.whatIsWrong()).isEqualTo("has ${…} references nested more than 10 deep");
            assertThat(e.allowed()).isEqualTo("nest defaults at most 10 deep: ${A:-${B:-value}}");
        });
        // Side by side is not nesting.
        assertThat(vars.expand("${HOME}".repeat(Variables.MAX_NESTING * 3))).hasSize(8 * Variables.MAX_NESTING * 3);
    }

    @Test
    void malformedReferencesAreRefused() {
        assertThatThrownBy(() -> vars.expand("${HOME")).hasMessageContaining("without its closing }");
        assertThatThrownBy(() -> vars.expand("${}")).hasMessageContaining("does not name a variable");
        assertThatThrownBy(() -> vars.expand("${1X}")).hasMessageContaining("does not name a variable");
        assertThatThrownBy(() -> vars.expand("${A B}")).hasMessageContaining("does not name a variable");
    }

    @Test
    void builtInsExistAndTheEnvironmentWins() {
        Variables none = new Variables(Map.of());
        assertThat(none.expand("${MCP_POOL_JAVA}")).contains("java");
        assertThat(none.expand("${MCP_POOL_CLASSPATH}")).isEqualTo(System.getProperty("java.class.path"));
        Variables mine = new Variables(Map.of("MCP_POOL_JAVA", "/opt/jdk/bin/java"));
        assertThat(mine.expand("${MCP_POOL_JAVA}")).isEqualTo("/opt/jdk/bin/java");
    }
}
