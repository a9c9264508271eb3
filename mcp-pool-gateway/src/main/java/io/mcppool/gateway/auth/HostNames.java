package io.mcppool.gateway.auth;

import java.util.Locale;
import java.util.Set;

/** Host names as the guard and the auth factory compare them: lower case, IPv6 literals in brackets. */
final class HostNames {
    /** The names a browser uses for this machine; any port. */
    static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private HostNames() {
    }

    /**
     * Whether binding {@code host} listens on loopback only. Only literal loopback addresses and
     * {@code localhost} count: another name is not resolved here (what it resolves to may change), so it
     * counts as reachable from the network.
     */
    static boolean isLoopbackBind(String host) {
        String h = normalize(host);
        if (LOOPBACK.contains(h)) {
            return true;
        }
        // all of 127.0.0.0/8 is loopback
        return h.startsWith("127.") && isIpv4Literal(h);
    }

    /** Whether binding {@code host} listens on every interface. */
    static boolean isWildcardBind(String host) {
        String h = normalize(host);
        return h.isEmpty() || h.equals("*") || h.equals("0.0.0.0") || h.equals("[::]")
                || h.equals("[0:0:0:0:0:0:0:0]");
    }

    /** Lower case; a bare IPv6 literal ({@code ::1}) gets its brackets. */
    static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.indexOf(':') >= 0 && !h.startsWith("[")) {
            return "[" + h + "]";
        }
        return h;
    }

    /**
     * The host part of an authority ({@code Host} header value or the part of an origin after {@code ://}):
     * {@code name}, {@code name:port}, {@code [v6]} or {@code [v6]:port}; lower-cased. Null when it is
     * malformed: empty, user info, a path, a port that is not 1 to 5 digits, stray brackets or spaces.
     */
    static String hostOfAuthority(String authority) {
        int length = authority.length();
        if (length == 0) {
            return null;
        }
        boolean bracketed = authority.charAt(0) == '[';
        int hostEnd;
        if (bracketed) {
            hostEnd = authority.indexOf(']') + 1;
            if (hostEnd < 3 || !allMatch(authority, 1, hostEnd - 1, HostNames::isIpv6Char)) {
                return null;
            }
        } else {
            int colon = authority.indexOf(':');
            hostEnd = colon < 0 ? length : colon;
            if (hostEnd == 0 || !allMatch(authority, 0, hostEnd, HostNames::isNameChar)) {
                return null;
            }
        }
        if (hostEnd < length && !validPort(authority, hostEnd)) {
            return null;
        }
        return authority.substring(0, hostEnd).toLowerCase(Locale.ROOT);
    }

    private static boolean allMatch(String s, int from, int to, CharPredicate ok) {
        for (int i = from; i < to; i++) {
            if (!ok.test(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                || c == '_';
    }

    private static boolean isIpv6Char(char c) {
        return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' || c == '.';
    }

    @FunctionalInterface
    private interface CharPredicate {
        boolean test(char c);
    }

    /** {@code :} then 1 to 5 digits to the end. */
    private static boolean validPort(String authority, int colon) {
        if (authority.charAt(colon) != ':') {
            return false;
        }
        int digits = authority.length() - colon - 1;
        if (digits < 1 || digits > 5) {
            return false;
        }
        for (int i = colon + 1; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4Literal(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }
}
