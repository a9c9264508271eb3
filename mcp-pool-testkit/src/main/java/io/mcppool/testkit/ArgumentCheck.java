package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks tool arguments against the small part of JSON Schema the testkit's tools use: an object
 * with {@code properties}, {@code required}, and per property {@code type} (one or a list),
 * {@code enum}, {@code minimum} and {@code maximum}. Anything else in a schema is ignored: this is
 * a guard for handlers, not a validator.
 */
final class ArgumentCheck {
    private ArgumentCheck() {
    }

    /** Null when the arguments fit, else a message naming the first property that does not. */
    static String check(JsonNode schema, JsonNode arguments) {
        if (schema == null || !schema.isObject()) {
            return null;
        }
        for (JsonNode required : schema.path("required")) {
            JsonNode value = arguments.get(required.asText());
            if (value == null || value.isNull()) {
                return "missing required argument '" + required.asText() + "'";
            }
        }
        JsonNode properties = schema.path("properties");
        Iterator<Map.Entry<String, JsonNode>> it = properties.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> property = it.next();
            JsonNode value = arguments.get(property.getKey());
            if (value == null || value.isNull()) {
                continue;
            }
            String problem = checkValue(property.getValue(), value);
            if (problem != null) {
                return "argument '" + property.getKey() + "' " + problem;
            }
        }
        return null;
    }

    private static String checkValue(JsonNode schema, JsonNode value) {
        JsonNode type = schema.get("type");
        if (type != null) {
            boolean fits = false;
            if (type.isArray()) {
                for (JsonNode t : type) {
                    fits |= hasType(value, t.asText());
                }
            } else {
                fits = hasType(value, type.asText());
            }
            if (!fits) {
                return "must be of type " + (type.isArray() ? type.toString() : type.asText()) + ", got " + value;
            }
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) {
                found |= a.equals(value);
            }
            if (!found) {
                return "must be one of " + allowed + ", got " + value;
            }
        }
        if (value.isNumber()) {
            JsonNode min = schema.get("minimum");
            if (min != null && value.doubleValue() < min.doubleValue()) {
                return "must be at least " + min + ", got " + value;
            }
            JsonNode max = schema.get("maximum");
            if (max != null && value.doubleValue() > max.doubleValue()) {
                return "must be at most " + max + ", got " + value;
            }
        }
        return null;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            // JSON Schema counts 3.0 as an integer: the value matters, not the spelling
            case "integer" -> value.isIntegralNumber()
                    || value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue());
            case "boolean" -> value.isBoolean();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "null" -> value.isNull();
            default -> true;
        };
    }
}
