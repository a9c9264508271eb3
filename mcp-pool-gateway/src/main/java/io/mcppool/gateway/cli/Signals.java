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
            // A platform thread of its own: an operator's reload must not wait for a carrier of the virtual threads
            // that serve clients, which a loaded gateway may keep busy.
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"),
                    signal -> Thread.ofPlatform().name("mcp-pool-reload").start(action));
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a hangup signal ignored when it started ignored (nohup does that), so that a process
                // meant to survive a hangup does; the handler above is then never called.
                log.warn("SIGHUP is ignored by this process (started under nohup?), so it does not reload the config;"
                        + " the config file is still watched for changes (gateway.watchConfig), or start the gateway"
                        + " without nohup (setsid, a service manager) for SIGHUP reloads");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            log.warn("SIGHUP cannot be handled here ({}); the config file is still watched for changes", e.toString());
        }
    }
}
