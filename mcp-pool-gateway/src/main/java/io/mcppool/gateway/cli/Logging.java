package io.mcppool.gateway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Log levels for one command. The jar's {@code logback.xml} sends everything to stderr at WARN;
 * {@code -v} turns {@code io.mcppool} up to DEBUG and shows the servers' own stderr, which the stdio
 * transport logs at INFO under {@code mcp.server.<name>.stderr}. Without {@code -v} the configured
 * levels are left as they are (a {@code -Dlogback.configurationFile} of the user's own applies).
 */
final class Logging {
    /** The levels {@code -v} replaced, restored by the next command without it (commands run in-process in tests). */
    private static final Map<String, Level> SAVED = new LinkedHashMap<>();

    private Logging() {
    }

    static synchronized void configure(boolean verbose) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return; // another SLF4J binding: its own configuration applies
        }
        if (verbose) {
            raise(context, "io.mcppool", Level.DEBUG);
            raise(context, "mcp.server", Level.INFO);
        } else {
            SAVED.forEach((name, level) -> context.getLogger(name).setLevel(level));
            SAVED.clear();
        }
    }

    private static void raise(LoggerContext context, String name, Level level) {
        Logger logger = context.getLogger(name);
        SAVED.putIfAbsent(name, logger.getLevel());
        logger.setLevel(level);
    }

    /** The gateway says what it serves and what it reloads at INFO, unless the user's config set a level. */
    static synchronized void serving() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            Logger gateway = context.getLogger("io.mcppool.gateway");
            if (gateway.getLevel() == null) {
                gateway.setLevel(Level.INFO);
            }
            Logger pool = context.getLogger("io.mcppool.McpPool");
            if (pool.getLevel() == null) {
                pool.setLevel(Level.INFO);
            }
        }
    }
}
