package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;

/** JSON-RPC messages built by hand, as a client would put them on the wire. */
final class Wire {
    private Wire() {
    }

    static ObjectNode request(Object id, String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        if (id instanceof Number n) {
            m.put("id", n.longValue());
        } else {
            m.put("id", String.valueOf(id));
        }
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    static ObjectNode notification(String method, JsonNode params) {
        ObjectNode m = Json.object();
        m.put("jsonrpc", "2.0");
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return m;
    }

    static ObjectNode initializeParams(String version) {
        ObjectNode p = Json.object();
        p.put("protocolVersion", version);
        p.putObject("capabilities").putObject("roots");
        ObjectNode info = p.putObject("clientInfo");
        info.put("name", "testkit-test");
        info.put("version", "1");
        return p;
    }

    static ObjectNode toolCall(String tool, ObjectNode args) {
        ObjectNode p = Json.object();
        p.put("name", tool);
        if (args != null) {
            p.set("arguments", args);
        }
        return p;
    }

    static ObjectNode args(Object... keyValues) {
        ObjectNode a = Json.object();
        for (int i = 0; i < keyValues.length; i += 2) {
            a.set((String) keyValues[i], Json.toTree(keyValues[i + 1]));
        }
        return a;
    }

    static ObjectNode withProgressToken(ObjectNode toolCallParams, Object token) {
        ObjectNode meta = toolCallParams.putObject("_meta");
        meta.set("progressToken", Json.toTree(token));
        return toolCallParams;
    }

    /** The text of a tools/call response's first content block. */
    static String text(JsonNode response) {
        return response.path("result").path("content").path(0).path("text").asText();
    }
}
