package io.mcppool.gateway.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP for a reload, where the platform has it (sun.misc.Signal is unsupported API, so this degrades quietly). */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> Thread.ofVirtual().start(action));
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            log.warn("SIGHUP cannot be handled here ({}); the config file is still watched for changes", e.toString());
        }
    }
}
