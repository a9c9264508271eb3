package io.mcppool.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Json.toTree builds plain values by hand: the tree equals the data binding's, node types and order included. */
class SimpleTreeTest {

    static Stream<Object> values() {
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("z", 1);
        ordered.put("a", List.of(1L, 2.5, true, "x", Map.of()));
        ordered.put("m", new TreeMap<>(Map.of("b", Long.MAX_VALUE, "a", Integer.MIN_VALUE)));
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("k", null);
        List<Object> listWithNull = new ArrayList<>(Arrays.asList("a", null));
        Map<Object, Object> intKeys = new LinkedHashMap<>(Map.of(1, "one"));
        Map<String, Object> deep = new LinkedHashMap<>();
        Map<String, Object> cur = deep;
        for (int i = 0; i < SimpleTree.MAX_DEPTH + 5; i++) {
            Map<String, Object> next = new LinkedHashMap<>();
            cur.put("d", next);
            cur = next;
        }
        return Stream.of(Map.of("message", "hello"), Map.of(), ordered, withNull, listWithNull, intKeys, deep,
                Map.of("nan", Double.NaN), Map.of("inf", Double.POSITIVE_INFINITY), Map.of("f", 1.1f),
                Map.of("s", (short) 3), Map.of("big", new java.math.BigDecimal("1.10")),
                Map.of("unicode", "\u00e9\ud83d\ude00", "empty", "", "neg", -0.0), List.of(), "text", 7, 7L, true,
                Map.of("record", new io.mcppool.internal.protocol.Implementation("n", "1", null)));
    }

    @ParameterizedTest
    @MethodSource("values")
    void theTreeIsTheDataBindingsTree(Object value) {
        assertThat(Json.toTree(value)).isEqualTo(Json.mapper().valueToTree(value));
        assertThat(Json.write(Json.toTree(value))).isEqualTo(Json.write(Json.mapper().valueToTree(value)));
    }
}
