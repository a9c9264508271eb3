package io.mcppool.internal.engine;

import io.mcppool.status.HealthStatus;
import io.mcppool.status.BreakerState;
import io.mcppool.call.ErrorType;
import io.mcppool.catalog.ToolCatalog;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mcppool.events.CacheEvictionCause;
import io.mcppool.events.SessionCloseReason;
import io.mcppool.events.CallOutcome;
import io.mcppool.events.PoolEvents;
import io.mcppool.events.CallContext;
/**
 * Calls several listeners in order. Whatever one of them throws is caught and logged (the first time,
 * then every 1000th time per listener), so a broken listener neither fails a call nor silences the
 * others. Listeners can be added while calls run: the list is copied on write, read without a lock.
 */
public final class CompositePoolEvents implements PoolEvents {
    private static final Logger log = LoggerFactory.getLogger(CompositePoolEvents.class);

    private record Entry(PoolEvents listener, AtomicLong failures) {
    }

    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile Entry[] entries;

    public CompositePoolEvents(List<PoolEvents> listeners) {
        this.entries = listeners.stream().map(l -> new Entry(l, new AtomicLong())).toArray(Entry[]::new);
    }

    public void add(PoolEvents listener) {
        writeLock.lock();
        try {
            Entry[] next = Arrays.copyOf(entries, entries.length + 1);
            next[next.length - 1] = new Entry(listener, new AtomicLong());
            entries = next;
        } finally {
            writeLock.unlock();
        }
    }

    public boolean remove(PoolEvents listener) {
        writeLock.lock();
        try {
            Entry[] next = Arrays.stream(entries).filter(e -> e.listener() != listener).toArray(Entry[]::new);
            boolean removed = next.length != entries.length;
            entries = next;
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    public List<PoolEvents> listeners() {
        return Arrays.stream(entries).map(Entry::listener).toList();
    }

    /** An Error from a listener (an AssertionError in a test listener, say) must not break a call either. */
    static void rethrowIfFatal(Throwable error) {
        if (error instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private static void failed(Entry e, String hook, Throwable error) {
        long n = e.failures().incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            log.warn("event listener {} threw in {} ({} time(s) so far); the call is not affected", e.listener(), hook, n,
                    error);
        }
    }

    @Override
    public void callStarted(CallContext call) {
        for (Entry e : entries) {
            try {
                e.listener().callStarted(call);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "callStarted", error);
            }
        }
    }

    @Override
    public void acquireStarted(CallContext call) {
        for (Entry e : entries) {
            try {
                e.listener().acquireStarted(call);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "acquireStarted", error);
            }
        }
    }

    @Override
    public void acquireEnded(CallContext call, long waitedNanos, boolean acquired) {
        for (Entry e : entries) {
            try {
                e.listener().acquireEnded(call, waitedNanos, acquired);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "acquireEnded", error);
            }
        }
    }

    @Override
    public void endpointPicked(CallContext call, String endpoint) {
        for (Entry e : entries) {
            try {
                e.listener().endpointPicked(call, endpoint);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "endpointPicked", error);
            }
        }
    }

    @Override
    public void retryScheduled(CallContext call, int nextAttempt, Duration backoff, ErrorType cause) {
        for (Entry e : entries) {
            try {
                e.listener().retryScheduled(call, nextAttempt, backoff, cause);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "retryScheduled", error);
            }
        }
    }

    @Override
    public void callEnded(CallContext call, CallOutcome outcome, ErrorType errorType, long durationNanos) {
        for (Entry e : entries) {
            try {
                e.listener().callEnded(call, outcome, errorType, durationNanos);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "callEnded", error);
            }
        }
    }

    @Override
    public void sessionOpened(String server, String endpoint, String protocolVersion) {
        for (Entry e : entries) {
            try {
                e.listener().sessionOpened(server, endpoint, protocolVersion);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "sessionOpened", error);
            }
        }
    }

    @Override
    public void sessionClosed(String server, String endpoint, SessionCloseReason reason) {
        for (Entry e : entries) {
            try {
                e.listener().sessionClosed(server, endpoint, reason);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "sessionClosed", error);
            }
        }
    }

    @Override
    public void sessionOpenFailed(String server, String endpoint, Throwable cause) {
        for (Entry e : entries) {
            try {
                e.listener().sessionOpenFailed(server, endpoint, cause);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "sessionOpenFailed", error);
            }
        }
    }

    @Override
    public void processStarted(String server, String endpoint, long pid) {
        for (Entry e : entries) {
            try {
                e.listener().processStarted(server, endpoint, pid);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "processStarted", error);
            }
        }
    }

    @Override
    public void processExited(String server, String endpoint, long pid, int exitCode, boolean expected) {
        for (Entry e : entries) {
            try {
                e.listener().processExited(server, endpoint, pid, exitCode, expected);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "processExited", error);
            }
        }
    }

    @Override
    public void processRestarted(String server, String endpoint, long pid, int restarts) {
        for (Entry e : entries) {
            try {
                e.listener().processRestarted(server, endpoint, pid, restarts);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "processRestarted", error);
            }
        }
    }

    @Override
    public void upstreamLinesSkipped(String server, String endpoint, String stream, long lines) {
        for (Entry e : entries) {
            try {
                e.listener().upstreamLinesSkipped(server, endpoint, stream, lines);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "upstreamLinesSkipped", error);
            }
        }
    }

    @Override
    public void breakerStateChanged(String server, String endpoint, BreakerState from, BreakerState to) {
        for (Entry e : entries) {
            try {
                e.listener().breakerStateChanged(server, endpoint, from, to);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "breakerStateChanged", error);
            }
        }
    }

    @Override
    public void healthChanged(String server, String endpoint, HealthStatus from, HealthStatus to, String reason) {
        for (Entry e : entries) {
            try {
                e.listener().healthChanged(server, endpoint, from, to, reason);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "healthChanged", error);
            }
        }
    }

    @Override
    public void cacheHit(String server, String tool) {
        for (Entry e : entries) {
            try {
                e.listener().cacheHit(server, tool);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "cacheHit", error);
            }
        }
    }

    @Override
    public void cacheMiss(String server, String tool) {
        for (Entry e : entries) {
            try {
                e.listener().cacheMiss(server, tool);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "cacheMiss", error);
            }
        }
    }

    @Override
    public void cacheEvicted(String server, String tool, CacheEvictionCause cause) {
        for (Entry e : entries) {
            try {
                e.listener().cacheEvicted(server, tool, cause);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "cacheEvicted", error);
            }
        }
    }

    @Override
    public void callCoalesced(String server, String tool) {
        for (Entry e : entries) {
            try {
                e.listener().callCoalesced(server, tool);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "callCoalesced", error);
            }
        }
    }

    @Override
    public void sharedCacheStateChanged(boolean degraded, String reason) {
        for (Entry e : entries) {
            try {
                e.listener().sharedCacheStateChanged(degraded, reason);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "sharedCacheStateChanged", error);
            }
        }
    }

    @Override
    public void catalogChanged(String server, ToolCatalog.Kind kind) {
        for (Entry e : entries) {
            try {
                e.listener().catalogChanged(server, kind);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "catalogChanged", error);
            }
        }
    }

    @Override
    public void configReloaded(List<String> added, List<String> removed, List<String> changed) {
        for (Entry e : entries) {
            try {
                e.listener().configReloaded(added, removed, changed);
            } catch (Throwable error) {
                rethrowIfFatal(error);
                failed(e, "configReloaded", error);
            }
        }
    }
}
