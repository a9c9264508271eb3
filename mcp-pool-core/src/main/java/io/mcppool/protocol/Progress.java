package io.mcppool.protocol;

/** One {@code notifications/progress} for a request. {@code total} and {@code message} may be null. */
public record Progress(double progress, Double total, String message) {
}
