package io.mcppool.protocol;

/** A root offered to a server through {@code roots/list}. */
public record Root(String uri, String name) {
}
