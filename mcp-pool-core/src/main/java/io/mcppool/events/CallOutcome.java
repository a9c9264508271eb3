package io.mcppool.events;

/** How a call ended, as metrics count it. */
public enum CallOutcome {
    /** A result without {@code isError}. */
    SUCCESS,
    /** A result with {@code isError}: the tool ran and reported a failure. */
    TOOL_ERROR,
    /** An exception: see the call's {@link io.mcppool.call.ErrorType}. */
    FAILURE;

    private final String tag = name().toLowerCase(java.util.Locale.ROOT);

    public String tagValue() {
        return tag;
    }
}
