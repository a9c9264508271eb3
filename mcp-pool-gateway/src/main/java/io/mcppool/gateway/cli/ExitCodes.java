package io.mcppool.gateway.cli;

import io.mcppool.config.InvalidConfigException;
import io.mcppool.call.McpPoolException;
import io.mcppool.call.ToolErrorException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.call.UnknownToolException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** The exit codes of every command, and which failure gets which. */
final class ExitCodes {
    /** The command did what was asked. */
    static final int OK = 0;
    /** The tool ran and returned a result with {@code isError}. */
    static final int TOOL_ERROR = 1;
    /** Bad command line, or a configuration that does not load. */
    static final int USAGE = 2;
    /** No such server, or the server has no such tool. */
    static final int UNKNOWN = 3;
    /** Anything else that went wrong: timeout, transport, protocol error, pool exhausted. */
    static final int FAILURE = 4;

    /** The list shown under "Exit codes:" in every command's help. */
    static final Map<String, String> HELP;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Integer.toString(OK), "success");
        m.put(Integer.toString(TOOL_ERROR), "the tool ran and reported an error (isError)");
        m.put(Integer.toString(USAGE), "usage error or invalid configuration");
        m.put(Integer.toString(UNKNOWN), "unknown server or tool");
        m.put(Integer.toString(FAILURE), "failure: timeout, transport, protocol error, pool exhausted");
        HELP = java.util.Collections.unmodifiableMap(m);
    }

    private ExitCodes() {
    }

    static int of(Throwable e) {
        return switch (e) {
            case CommandLine.ParameterException ignored -> USAGE;
            case InvalidConfigException ignored -> USAGE;
            case UnknownServerException ignored -> UNKNOWN;
            case UnknownToolException ignored -> UNKNOWN;
            case ToolErrorException ignored -> TOOL_ERROR;
            case McpPoolException ignored -> FAILURE;
            default -> FAILURE;
        };
    }
}
