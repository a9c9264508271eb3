package io.mcppool.gateway.cli;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.mcppool.config.Redaction;

/**
 * {@code %rex} in the jar's {@code logback.xml}: a logged exception's stack trace with its messages through
 * {@link Redaction} (a "cannot connect to mysql://root:pw@db" is as secret in a trace as in a message).
 */
public final class RedactedThrowable extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Redaction.text(super.throwableProxyToString(proxy));
    }
}
