package io.mcppool.protocol;

import java.util.List;

/** The session-era protocol revisions this client negotiates. */
public final class ProtocolVersion {
    public static final String V2025_11_25 = "2025-11-25";
    public static final String V2025_06_18 = "2025-06-18";
    public static final String V2025_03_26 = "2025-03-26";

    /** What the client offers in {@code initialize}. */
    public static final String LATEST = V2025_11_25;

    /** What the client accepts back, newest first. */
    public static final List<String> SUPPORTED = List.of(V2025_11_25, V2025_06_18, V2025_03_26);

    private ProtocolVersion() {
    }

    public static boolean isSupported(String version) {
        return SUPPORTED.contains(version);
    }
}
