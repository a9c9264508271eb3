package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.mcppool.protocol.JsonRpcError;

/**
 * What a testkit server offers besides tools: resources, resource templates, prompts and, for some,
 * subscriptions and completions. {@link DefaultCatalog} is the usual one; {@link ConformanceFixtures}
 * serves the conformance suite's. Every method answers a request's params with its result, or throws
 * {@link RequestError} for the JSON-RPC error to send.
 */
interface Catalog {
    /** The error code the spec uses for an unknown resource. */
    int RESOURCE_NOT_FOUND = -32002;

    JsonNode resourceList();

    JsonNode resourceTemplateList();

    JsonNode readResource(JsonNode params);

    JsonNode promptList();

    JsonNode getPrompt(JsonNode params);

    /** Whether {@code resources/subscribe} is served (the {@code resources.subscribe} capability). */
    default boolean subscriptions() {
        return false;
    }

    /** Throws {@link RequestError} unless {@code uri} names a resource one can subscribe to. */
    default void checkSubscribable(String uri) {
        throw new RequestError(JsonRpcError.METHOD_NOT_FOUND, "Method not found: resources/subscribe");
    }

    /** Whether {@code completion/complete} is served (the {@code completions} capability). */
    default boolean completions() {
        return false;
    }

    default JsonNode complete(JsonNode params) {
        throw new RequestError(JsonRpcError.METHOD_NOT_FOUND, "Method not found: completion/complete");
    }

    /** What the server tells clients in {@code initialize}'s {@code instructions}. */
    String instructions();

    /** A request the session must answer with a JSON-RPC error. */
    final class RequestError extends RuntimeException {
        private final int code;

        RequestError(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        int code() {
            return code;
        }
    }
}
