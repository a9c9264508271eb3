package io.mcppool.internal.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UriTemplateTest {

    @Test
    void aLevelOneVariableMatchesOneSegmentOfUnreservedCharacters() {
        UriTemplate t = UriTemplate.compile("users://{id}/profile");
        assertThat(t.matches("users://42/profile")).isTrue();
        assertThat(t.matches("users://a-b_c.d~e%2F/profile")).isTrue();
        assertThat(t.matches("users://42/x/profile")).as("a variable never spans a '/'").isFalse();
        assertThat(t.matches("users:///profile")).as("a variable stands for at least one character").isFalse();
        assertThat(t.matches("users://42/profile/more")).as("the whole URI must match").isFalse();
        assertThat(t.matches("user://42/profile")).isFalse();
    }

    @Test
    void reservedCharactersNeverMatchAVariable() {
        UriTemplate t = UriTemplate.compile("db://{table}");
        for (String reserved : new String[] {":", "/", "?", "#", "[", "]", "@", "!", "$", "&", "'", "(", ")", "*", "+",
                ",", ";", "="}) {
            assertThat(t.matches("db://a" + reserved + "b")).as(reserved).isFalse();
        }
        assertThat(t.matches("db://orders")).isTrue();
    }

    @Test
    void variablesBetweenLiteralsBacktrack() {
        UriTemplate t = UriTemplate.compile("file:///{dir}/{name}.txt");
        assertThat(t.matches("file:///docs/a.b.txt")).isTrue();
        assertThat(t.matches("file:///docs/a.txt.gz")).isFalse();
        assertThat(t.matches("file:///docs/.txt")).isFalse();
    }

    @Test
    void literalsAreQuotedNotRegex() {
        UriTemplate t = UriTemplate.compile("q://a.b?x={v}");
        assertThat(t.matches("q://a.b?x=1")).isTrue();
        assertThat(t.matches("q://aXb?x=1")).isFalse();
    }

    @Test
    void aTemplateWithoutExpressionsIsAnExactUri() {
        UriTemplate t = UriTemplate.compile("config://app");
        assertThat(t.matches("config://app")).isTrue();
        assertThat(t.matches("config://apps")).isFalse();
    }

    @Test
    void fromAnOperatorOnAnythingMatches() {
        assertThat(UriTemplate.compile("file:///{+path}").matches("file:///srv/data/a.txt")).isTrue();
        assertThat(UriTemplate.compile("file:///{+path}").matches("http://x")).isFalse();
        UriTemplate seg = UriTemplate.compile("repo://{owner}/{repo}/contents{/path*}");
        assertThat(seg.matches("repo://me/pool/contents/src/Main.java")).isTrue();
        assertThat(seg.matches("repo://me/pool/contents")).isTrue();
        assertThat(seg.matches("repo://me/contents/x")).as("the level-1 part before the operator still matches exactly")
                .isFalse();
        assertThat(UriTemplate.compile("search://q{?term,limit}").matches("search://q?term=a&limit=2")).isTrue();
        assertThat(UriTemplate.compile("a://{x,y}").matches("a://1,2")).as("a variable list is not level 1").isTrue();
        assertThat(UriTemplate.compile("a://{x:3}").matches("a://abcdef")).as("a prefix modifier is not level 1").isTrue();
        assertThat(UriTemplate.compile("a://{x").matches("a://anything/at/all")).as("an unclosed brace").isTrue();
        assertThat(UriTemplate.compile("{+uri}").matches("whatever:/at/all")).isTrue();
    }
}
