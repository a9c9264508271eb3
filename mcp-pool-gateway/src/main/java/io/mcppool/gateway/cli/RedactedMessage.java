package io.mcppool.gateway.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mcppool.config.Redaction;

/**
 * {@code %rmsg} in the jar's {@code logback.xml}: the log line's message through {@link Redaction}. The code redacts
 * what it logs where it knows it may hold a secret (endpoint labels, a server's stderr); this is the net under it,
 * for a message that carries a server's error text or a URL from somewhere else.
 */
public final class RedactedMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Redaction.text(super.convert(event));
    }
}
