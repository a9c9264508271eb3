package io.mcppool.config;

/**
 * A value that cannot be used, as the parsers of durations, sizes and variables report it: what is wrong
 * and, where it helps, what to write instead. The caller adds the path and the value, which it alone knows.
 */
final class BadValue extends IllegalArgumentException {
    private final String allowed;

    BadValue(String whatIsWrong) {
        this(whatIsWrong, null);
    }

    BadValue(String whatIsWrong, String allowed) {
        super(whatIsWrong);
        this.allowed = allowed;
    }

    String whatIsWrong() {
        return getMessage();
    }

    /** What to write instead, or null when the first part already says it. */
    String allowed() {
        return allowed;
    }
}
