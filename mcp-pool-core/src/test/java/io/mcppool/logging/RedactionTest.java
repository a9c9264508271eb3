package io.mcppool.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void urlsLoseUserInfoAndQueryButKeepHostPortAndPath() {
        assertThat(Redaction.text("https://user:pw@mcp.example.com:8443/v1/mcp?api_key=abc&x=1#frag"))
                .isEqualTo("https://***@mcp.example.com:8443/v1/mcp?***");
        assertThat(Redaction.text("http://localhost:8080/mcp")).isEqualTo("http://localhost:8080/mcp");
        assertThat(Redaction.text("cannot connect to https://t0ken@host/mcp: refused"))
                .isEqualTo("cannot connect to https://***@host/mcp: refused");
        assertThat(Redaction.text("https://host/mcp#x")).isEqualTo("https://host/mcp");
    }

    @Test
    void flagsAndAssignmentsNamingSecretsHaveTheirValuesMasked() {
        assertThat(Redaction.text("server --token abc123 --port 3000")).isEqualTo("server --token *** --port 3000");
        assertThat(Redaction.text("server --api-key=abc123 -v")).isEqualTo("server --api-key=*** -v");
        assertThat(Redaction.text("server --password hunter2")).isEqualTo("server --password ***");
        assertThat(Redaction.text("server --client-secret=x --auth-token y"))
                .isEqualTo("server --client-secret=*** --auth-token ***");
        assertThat(Redaction.text("env GITHUB_TOKEN=ghx123 node server.js")).isEqualTo("env GITHUB_TOKEN=*** node server.js");
        assertThat(Redaction.text("-Dapp.secret=s java")).isEqualTo("-Dapp.secret=*** java");
        assertThat(Redaction.text("apiKey: abc, other: 1")).isEqualTo("apiKey: ***, other: 1");
        // a flag that is followed by another flag has no value to mask
        assertThat(Redaction.text("server --no-auth --port 1")).isEqualTo("server --no-auth --port 1");
    }

    @Test
    void authorizationSchemesAndWellKnownTokenShapesAreMasked() {
        assertThat(Redaction.text("Authorization: Bearer eyJhbGciOi.abc.def"))
                .isEqualTo("Authorization: Bearer ***");
        assertThat(Redaction.text("got Basic dXNlcjpwYXNz back")).isEqualTo("got Basic *** back");
        assertThat(Redaction.text("server ghp_0123456789abcdefghijABCDEFGHIJ")).isEqualTo("server ***");
        assertThat(Redaction.text("key sk-proj-0123456789abcdefXYZ")).isEqualTo("key ***");
        assertThat(Redaction.text("AKIAABCDEFGHIJKLMNOP")).isEqualTo("***");
    }

    @Test
    void ordinaryLabelsAreLeftAlone() {
        String label = "java -XX:+UseSerialGC -cp /a/b.jar:/c/d.jar io.mcppool.testkit.TestkitServer --stdio";
        assertThat(Redaction.text(label)).isEqualTo(label);
        assertThat(Redaction.endpoint(label)).isSameAs(Redaction.endpoint(label));
        assertThat(Redaction.text("npx -y @modelcontextprotocol/server-filesystem /srv/data"))
                .isEqualTo("npx -y @modelcontextprotocol/server-filesystem /srv/data");
        assertThat(Redaction.text(null)).isNull();
        assertThat(Redaction.text("")).isEmpty();
    }
}
