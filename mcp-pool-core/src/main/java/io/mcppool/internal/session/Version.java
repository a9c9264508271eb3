package io.mcppool.internal.session;

/** The library's version, as the jar's manifest says (or "dev" when run from classes). */
final class Version {
    private Version() {
    }

    static String current() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
