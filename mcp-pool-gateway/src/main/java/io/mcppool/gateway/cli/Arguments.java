package io.mcppool.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tool arguments from the command line.
 *
 * <ul>
 *   <li>{@code --json '{...}'} gives the whole arguments object ({@code --json @file.json} reads it from a file);</li>
 *   <li>each {@code --arg key=value} sets one top-level key, and wins over the same key in {@code --json}.
 *       The value is read as JSON when it is a complete JSON value ({@code 42}, {@code 2.5}, {@code true},
 *       {@code null}, {@code "quoted"}, {@code [1,2]}, <code>{"a":1}</code>), otherwise it is the plain string
 *       as typed. So {@code --arg n=5} sends the number 5 and {@code --arg n='"5"'} the string "5".</li>
 * </ul>
 */
final class Arguments {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Arguments() {
    }

    /** A usage mistake in the arguments; the command turns it into exit code 2. */
    static final class BadArgument extends IllegalArgumentException {
        BadArgument(String message) {
            super(message);
        }
    }

    /** The arguments object: {@code --json} first (may be null), then each {@code --arg} over it. */
    static ObjectNode build(String json, List<String> args) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (json != null) {
            String text = json;
            String where = "--json";
            if (json.startsWith("@")) {
                Path file = Path.of(json.substring(1));
                where = "--json " + json;
                try {
                    text = Files.readString(file);
                } catch (IOException e) {
                    throw new BadArgument(where + ": cannot read " + file + ": " + e.getMessage());
                }
            }
            JsonNode node;
            try {
                node = STRICT.readTree(text);
            } catch (JsonProcessingException e) {
                throw new BadArgument(where + " is not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new BadArgument(where + " must be a JSON object like {\"key\": \"value\"}, got "
                        + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
            }
            out.setAll((ObjectNode) node);
        }
        if (args != null) {
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq <= 0) {
                    throw new BadArgument("--arg needs KEY=VALUE, got '" + arg + "'");
                }
                out.set(arg.substring(0, eq), value(arg.substring(eq + 1)));
            }
        }
        return out;
    }

    /** A value as JSON when it is a complete JSON value, else the text itself as a string. */
    static JsonNode value(String text) {
        if (!text.isBlank()) {
            try {
                JsonNode node = STRICT.readTree(text);
                if (node != null && !node.isMissingNode()) {
                    return node;
                }
            } catch (JsonProcessingException e) {
                // not JSON: a plain string
            }
        }
        return JsonNodeFactory.instance.textNode(text);
    }

    /** Plain string arguments (prompts take strings only): KEY=VALUE, the value as typed. */
    static Map<String, String> strings(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args != null) {
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq <= 0) {
                    throw new BadArgument("--arg needs KEY=VALUE, got '" + arg + "'");
                }
                out.put(arg.substring(0, eq), arg.substring(eq + 1));
            }
        }
        return out;
    }
}
