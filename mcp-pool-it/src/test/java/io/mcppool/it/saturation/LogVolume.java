package io.mcppool.it.saturation;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Counts what the whole JVM logs (every event that reaches the root logger, whichever logger the pool uses)
 * while open: events and characters, keeping only the first few lines. The root's own appenders are detached
 * meanwhile, so a flood that a pool fails to bound does not end up in the test report as well; they are put back
 * on {@link #close}. Unlike {@code LogCapture} it keeps no events, so a flood of millions cannot exhaust the heap.
 */
final class LogVolume implements AutoCloseable {
    private static final int KEPT = 8;

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Appender<ILoggingEvent>> muted = new ArrayList<>();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong chars = new AtomicLong();
    private final List<String> first = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> counter = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            String line = event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage();
            events.incrementAndGet();
            chars.addAndGet(line.length());
            if (first.size() < KEPT) {
                first.add(Saturation.preview(line));
            }
        }
    };

    private LogVolume() {
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            muted.add(it.next());
        }
        muted.forEach(root::detachAppender);
        counter.setContext(root.getLoggerContext());
        counter.setName("saturation-log-volume");
        counter.start();
        root.addAppender(counter);
    }

    static LogVolume open() {
        return new LogVolume();
    }

    long events() {
        return events.get();
    }

    long chars() {
        return chars.get();
    }

    /** The first lines logged, for messages. */
    List<String> first() {
        return List.copyOf(first);
    }

    String summary() {
        return events() + " log events, " + chars() + " chars";
    }

    @Override
    public void close() {
        root.detachAppender(counter);
        counter.stop();
        muted.forEach(root::addAppender);
    }
}
