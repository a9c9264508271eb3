package io.mcppool.internal.protocol;

/** Name and version of a client or server implementation, as exchanged in {@code initialize}. */
public record Implementation(String name, String version, String title) {
    public Implementation(String name, String version) {
        this(name, version, null);
    }
}
