package io.mcppool.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canonical form of arguments: what a server cannot tell apart is one key, and nothing else is. */
class CacheKeysTest {

    static String canonicalText(String json) throws Exception {
        return CacheKeys.canonical(Json.mapper().readTree(json));
    }

    static String canonicalOf(Object value) {
        return CacheKeys.canonical(Json.toTree(value));
    }

    @Test
    void keyOrderDoesNotMatterAtAnyDepth() throws Exception {
        String a = canonicalText("{\"b\": 1, \"a\": {\"y\": [1, 2], \"x\": \"s\"}}");
        String b = canonicalText("{\"a\": {\"x\": \"s\", \"y\": [1, 2]}, \"b\": 1}");
        assertThat(a).isEqualTo(b).isEqualTo("{\"a\":{\"x\":\"s\",\"y\":[1,2]},\"b\":1}");

        Map<String, Object> first = new LinkedHashMap<>();
        first.put("path", "/a");
        first.put("limit", 10);
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("limit", 10);
        second.put("path", "/a");
        assertThat(canonicalOf(first)).isEqualTo(canonicalOf(second));
    }

    @Test
    void oneNumberHasOneFormWhateverItsSpelling() throws Exception {
        String one = canonicalText("{\"n\": 1}");
        assertThat(canonicalText("{\"n\": 1.0}")).isEqualTo(one);
        assertThat(canonicalText("{\"n\": 1e0}")).isEqualTo(one);
        assertThat(canonicalText("{\"n\": 1.000}")).isEqualTo(one);
        assertThat(canonicalText("{\"n\": 10E-1}")).isEqualTo(one);
        assertThat(canonicalOf(Map.of("n", 1L))).isEqualTo(one);
        assertThat(canonicalOf(Map.of("n", 1.0d))).isEqualTo(one);
        assertThat(canonicalOf(Map.of("n", new BigDecimal("1.00")))).isEqualTo(one);
        assertThat(canonicalOf(Map.of("n", BigInteger.ONE))).isEqualTo(one);
        assertThat(one).isEqualTo("{\"n\":1}");

        assertThat(canonicalText("{\"n\": 100}")).isEqualTo(canonicalText("{\"n\": 1e2}"))
                .isEqualTo(canonicalOf(Map.of("n", new BigDecimal("100.0")))).isEqualTo("{\"n\":100}");
        assertThat(canonicalText("{\"n\": 0.5}")).isEqualTo(canonicalText("{\"n\": 5e-1}"))
                .isEqualTo(canonicalOf(Map.of("n", 0.5f))).isEqualTo(canonicalOf(Map.of("n", new BigDecimal("0.500"))));
        assertThat(canonicalOf(Map.of("n", 0.1f))).isEqualTo(canonicalOf(Map.of("n", 0.1d)));
        assertThat(canonicalText("{\"n\": -0.0}")).isEqualTo(canonicalText("{\"n\": 0}"));
    }

    @Test
    void differentValuesStayDifferent() throws Exception {
        assertThat(canonicalText("{\"n\": 1}")).isNotEqualTo(canonicalText("{\"n\": \"1\"}"));
        assertThat(canonicalText("{\"n\": 1}")).isNotEqualTo(canonicalText("{\"n\": 1.5}"));
        assertThat(canonicalText("{\"n\": 0.1}")).isNotEqualTo(canonicalText("{\"n\": 0.10000001}"));
        assertThat(canonicalText("{\"n\": null}")).isNotEqualTo(canonicalText("{}"));
        assertThat(canonicalText("{\"b\": true}")).isNotEqualTo(canonicalText("{\"b\": \"true\"}"));
        assertThat(canonicalText("{\"s\": \"a,b\"}")).isNotEqualTo(canonicalText("{\"s\": \"a\", \"b\": 1}"));
    }

    @Test
    void arraysKeepTheirOrderAndObjectsInsideThemAreSorted() throws Exception {
        assertThat(canonicalText("{\"l\": [1, 2]}")).isNotEqualTo(canonicalText("{\"l\": [2, 1]}"));
        assertThat(canonicalText("{\"l\": [{\"b\": 2, \"a\": 1}, 3.0]}")).isEqualTo("{\"l\":[{\"a\":1,\"b\":2},3]}");
        assertThat(canonicalOf(Map.of("l", List.of(Map.of("z", 1.0, "y", List.of(2e0)))))).isEqualTo(
                "{\"l\":[{\"y\":[2],\"z\":1}]}");
    }

    @Test
    void stringsAreJsonEscaped() throws Exception {
        JsonNode tree = Json.toTree(Map.of("q", "a\"b\\c\n\u0001é"));
        String text = CacheKeys.canonical(tree);
        assertThat(Json.mapper().readTree(text)).isEqualTo(tree);
    }

    @Test
    void bigAndSmallNumbersStayExactAndShort() throws Exception {
        assertThat(canonicalText("{\"n\": 12345678901234567890123}")).isEqualTo("{\"n\":12345678901234567890123}");
        assertThat(canonicalOf(Map.of("n", new BigDecimal("1e-300")))).isEqualTo("{\"n\":1E-300}");
        assertThat(canonicalOf(Map.of("n", 9007199254740993L))).isEqualTo("{\"n\":9007199254740993}");
    }

    @Test
    void redisKeysNameServerToolAndScopeSoPatternsFindThem() {
        CacheKey key = new CacheKey("files", "read_file", CacheKeys.scope(false, "alice"), "{\"path\":\"/a\"}");
        String redis = CacheKeys.redisKey("mcp-pool:", key);
        assertThat(redis).startsWith("mcp-pool:files:read_file:client=alice:").hasSize("mcp-pool:files:read_file:client=alice:".length() + 64);
        assertThat(CacheKeys.redisKey("mcp-pool:", new CacheKey("files", "read_file", "client=alice", "{\"path\":\"/b\"}")))
                .isNotEqualTo(redis);
        assertThat(CacheKeys.pattern("mcp-pool:", "files", "read_file")).isEqualTo("mcp-pool:files:read_file:*");
        assertThat(CacheKeys.pattern("mcp-pool:", "files", null)).isEqualTo("mcp-pool:files:*");
        assertThat(CacheKeys.pattern("mcp-pool:", null, null)).isEqualTo("mcp-pool:*");
        assertThat(CacheKeys.scope(true, "alice")).isEqualTo(CacheKeys.SHARED);
        assertThat(CacheKeys.scope(false, null)).isEqualTo(CacheKeys.POOL);
    }

    @Test
    void namesWithColonsOrGlobCharactersCannotReachOtherNamesKeys() {
        // Server "a" must not match the keys of server "a:b", nor "a*" those of "ab".
        CacheKey ofAb = new CacheKey("a:b", "t", CacheKeys.POOL, "{}");
        assertThat(CacheKeys.redisKey("p:", ofAb)).startsWith("p:a%3Ab:t:pool:");
        assertThat(CacheKeys.pattern("p:", "a", null)).isEqualTo("p:a:*");
        assertThat(CacheKeys.pattern("p[1]:", "a*", "t?")).isEqualTo("p\\[1\\]:a\\*:t\\?:*");
        assertThat(CacheKeys.part("50%")).isEqualTo("50%25");
    }
}
