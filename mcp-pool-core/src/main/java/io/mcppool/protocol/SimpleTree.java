package io.mcppool.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Map;

/**
 * The tree of a plain value, built node by node: maps with string keys, lists, strings, booleans, ints, longs and
 * finite doubles, no deeper than {@link #MAX_DEPTH}. Anything else (a null, a record, another number type) gives
 * {@code null}, and the caller asks the data binding, whose tree for a plain value this one equals.
 */
final class SimpleTree {
    static final int MAX_DEPTH = 64;

    private SimpleTree() {
    }

    static JsonNode of(Object value, int depth) {
        if (value instanceof String s) {
            return TextNode.valueOf(s);
        }
        if (value instanceof Map<?, ?> map) {
            return depth < MAX_DEPTH ? object(map, depth + 1) : null;
        }
        if (value instanceof Integer i) {
            return IntNode.valueOf(i);
        }
        if (value instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        if (value instanceof Long l) {
            return LongNode.valueOf(l);
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) ? DoubleNode.valueOf(d) : null;
        }
        if (value instanceof List<?> list) {
            return depth < MAX_DEPTH ? array(list, depth + 1) : null;
        }
        return null;
    }

    private static ObjectNode object(Map<?, ?> map, int depth) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                return null;
            }
            JsonNode v = of(e.getValue(), depth);
            if (v == null) {
                return null;
            }
            node.set(key, v);
        }
        return node;
    }

    private static ArrayNode array(List<?> list, int depth) {
        ArrayNode node = JsonNodeFactory.instance.arrayNode(list.size());
        for (Object item : list) {
            JsonNode v = of(item, depth);
            if (v == null) {
                return null;
            }
            node.add(v);
        }
        return node;
    }
}
