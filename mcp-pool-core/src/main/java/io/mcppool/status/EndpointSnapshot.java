package io.mcppool.status;

/**
 * The state of one endpoint's pool at one moment. JSON-serialisable.
 *
 * @param sessions        open sessions (in sticky mode: bound affinity keys)
 * @param idleSessions    open sessions with nothing in flight
 * @param opening         sessions being opened in the background
 * @param inFlight        requests in flight
 * @param capacity        slots of the open sessions
 * @param pendingAcquires callers waiting for a slot
 * @param lastOpenFailure why the last attempt to open a session failed, or null
 */
public record EndpointSnapshot(String endpoint, String mode, int sessions, int idleSessions, int opening, int inFlight,
                               int capacity, int pendingAcquires, long sessionsOpened, long sessionsClosed,
                               long acquireTimeouts, String lastOpenFailure) {

    /** In-flight requests over the slots of the open sessions, 0 when none are open. */
    public double utilization() {
        return capacity == 0 ? 0 : (double) inFlight / capacity;
    }
}
