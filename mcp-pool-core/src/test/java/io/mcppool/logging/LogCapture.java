package io.mcppool.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what some loggers log while open, at a level of the test's choosing, off the console. */
final class LogCapture implements AutoCloseable {
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> previousLevels = new ArrayList<>();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent e) {
            e.prepareForDeferredProcessing(); // take the MDC now: it is restored right after the line
            super.append(e);
        }
    };

    LogCapture(Level level, String... loggerNames) {
        appender.start();
        for (String name : loggerNames) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            appender.setContext(logger.getLoggerContext());
            loggers.add(logger);
            previousLevels.add(logger.getLevel());
            logger.addAppender(appender);
            logger.setLevel(level);
            logger.setAdditive(false);
        }
    }

    static LogCapture all(Level level) {
        return new LogCapture(level, "mcp.pool.sessions", "mcp.pool.calls", "mcp.pool.state");
    }

    List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    ILoggingEvent only() {
        List<ILoggingEvent> all = events();
        if (all.size() != 1) {
            throw new AssertionError("expected one line, got " + all.size() + ": " + messages());
        }
        return all.get(0);
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).detachAppender(appender);
            loggers.get(i).setLevel(previousLevels.get(i));
            loggers.get(i).setAdditive(true);
        }
        appender.stop();
    }
}
