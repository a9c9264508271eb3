package io.mcppool.gateway;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the config file and calls {@code onChange} after it changed. Editors save in bursts (truncate,
 * write, rename), so a change is acted on once the file has stayed the same for a short settle time, and
 * only if its content changed. Watches the directory, so a file replaced by rename is seen too.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    private static final long SETTLE_MILLIS = 200;

    private final Path file;
    private final Runnable onChange;
    private final WatchService watch;
    private final Thread thread;
    /** A digest of the content last acted on: a save that changes nothing does not reload. */
    private volatile int lastSeen;

    private ConfigWatcher(Path file, Runnable onChange) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.onChange = onChange;
        this.watch = FileSystems.getDefault().newWatchService();
        this.file.getParent().register(watch, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        this.lastSeen = modified();
        this.thread = Thread.ofVirtual().name("mcp-pool-config-watch").start(this::run);
    }

    static ConfigWatcher start(Path file, Runnable onChange) {
        try {
            return new ConfigWatcher(file, onChange);
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); SIGHUP still reloads it", file, e.toString());
            return null;
        }
    }

    private int modified() {
        try {
            return java.util.Arrays.hashCode(Files.readAllBytes(file));
        } catch (IOException e) {
            return lastSeen;
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.context() instanceof Path p && file.getFileName().equals(p)) {
                        ours = true;
                    }
                }
                key.reset();
                if (!ours) {
                    continue;
                }
                // Let the burst of writes end: drain events until none came for the settle time.
                WatchKey more;
                while ((more = watch.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                int now = modified();
                if (now != lastSeen) {
                    lastSeen = now;
                    log.info("{} changed; reloading", file);
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        log.error("reloading {} failed", file, e);
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            // nothing to do
        }
        thread.interrupt();
    }
}
