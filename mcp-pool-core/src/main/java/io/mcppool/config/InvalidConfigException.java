package io.mcppool.config;

import io.mcppool.call.ErrorType;
import io.mcppool.call.McpPoolException;
import java.util.List;

/**
 * A configuration that cannot be used. Lists every problem found, each with the field's path, the
 * bad value and what is allowed, so one run shows all there is to fix.
 */
public class InvalidConfigException extends McpPoolException {
    private final List<String> problems;

    public InvalidConfigException(String source, List<String> problems) {
        super("invalid configuration (" + source + "):\n  - " + String.join("\n  - ", problems), null, null, null, null);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.INVALID_REQUEST;
    }
}
