package io.mcppool.it.interop;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects what one logger logs, at INFO and above, while open. The pool logs a stdio server's
 * stderr lines to {@code mcp.server.<server>.stderr}; with {@code --stderr-noise} the testkit
 * server writes one such line per request, which lets a test count the requests a stdio server saw.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final boolean previousAdditive;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(String loggerName) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previousLevel = logger.getLevel();
        previousAdditive = logger.isAdditive();
        appender.setContext(logger.getLoggerContext());
        appender.setName("interop-capture-" + loggerName);
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false); // keep the noise out of the test's console output
    }

    /** What {@code loggerName} logs at INFO and above while the capture is open. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** The stderr lines of the stdio server named {@code server} in a pool. */
    static LogCapture serverStderr(String server) {
        return new LogCapture("mcp.server." + server + ".stderr");
    }

    public List<String> lines() {
        synchronized (appender) { // AppenderBase.doAppend appends under the appender's monitor
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** The lines as "[thread] message", for failure messages. */
    List<String> linesWithThreads() {
        synchronized (appender) {
            return appender.list.stream().map(e -> "[" + e.getThreadName() + "] " + e.getFormattedMessage()).toList();
        }
    }

    public long count(String fragment) {
        return lines().stream().filter(l -> l.contains(fragment)).count();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
    }
}
