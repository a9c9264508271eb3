package io.mcppool.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
        assertThat(Redaction.text("server 'b' (x postgres://u:p@pg/x?sslkey=k): failed."))
                .isEqualTo("server 'b' (x postgres://***@pg/x?***): failed.");
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
    void urlsOfEveryScheme() {
        assertThat(Redaction.text("db mysql://root:Hunter2@db.internal:3306/app --x"))
                .isEqualTo("db mysql://***@db.internal:3306/app --x");
        assertThat(Redaction.text("jdbc:postgresql://pg/app?user=a&password=b"))
                .isEqualTo("jdbc:postgresql://pg/app?***");
        assertThat(Redaction.text("mongodb+srv://u:p@cluster0.example.net/db")).isEqualTo("mongodb+srv://***@cluster0.example.net/db");
        assertThat(Redaction.text("redis://:pw@127.0.0.1:6379/0")).isEqualTo("redis://***@127.0.0.1:6379/0");
        // a password with a slash in it: the user info runs to the '@', not to the first '/'
        assertThat(Redaction.text("amqp://guest:pa/ss@mq/vhost")).isEqualTo("amqp://***@mq/vhost");
        // an '@' in a path is not user info
        assertThat(Redaction.text("https://medium.com/@someone/post")).isEqualTo("https://medium.com/@someone/post");
    }

    @Test
    void theValueAfterASecretFlagIsMaskedAcrossArguments() {
        assertThat(Redaction.args(List.of("--db-password", "Hunter2", "--port", "1", "--token", "--verbose",
                "mysql://root:pw@db/app", "--api-key=abc")))
                .containsExactly("--db-password", "***", "--port", "1", "--token", "--verbose", "mysql://***@db/app",
                        "--api-key=***");
    }

    @Test
    void shorteningRedactsFirstSoACutNeverShowsTheStartOfASecret() {
        String line = "x".repeat(150) + " mysql://root:Hunter2SecretPw@db.internal/app";
        assertThat(Redaction.shorten(line, 170)).doesNotContain("Hunter2").startsWith("xxx").endsWith("...");
        assertThat(Redaction.shorten(line, 500)).endsWith("mysql://***@db.internal/app");
        // a very long text is cut at a word before it is redacted: the cut word is dropped, not shown in part
        String huge = "a ".repeat(600) + "https://user:Hunter2SecretPw@" + "h".repeat(5000);
        assertThat(Redaction.shorten(huge, 300)).doesNotContain("Hunter2").hasSizeLessThanOrEqualTo(300);
        assertThat(Redaction.cutAtWord("one two three", 9)).isEqualTo("one two...");
        assertThat(Redaction.cutAtWord("short", 9)).isEqualTo("short");
    }

    @Test
    void configProblemsAndProseAreNotMistakenForSecrets() {
        for (String prose : List.of("gateway.auth.mode: required, but no client could authenticate",
                "binding 0.0.0.0 needs auth: add gateway.auth.apiKeys",
                "gateway.auth.jwt.secret: must be at least 32 bytes for HS256",
                "gateway.auth.jwt.publicKeyFile: /etc/keys/a.pem has a 'PUBLIC KEY' that is not an RSA key")) {
            assertThat(Redaction.text(prose)).isEqualTo(prose);
        }
        assertThat(Redaction.text("password: hunter2")).isEqualTo("password: ***");
        assertThat(Redaction.text("spring.datasource.password=hunter2")).isEqualTo("spring.datasource.password=***");
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
