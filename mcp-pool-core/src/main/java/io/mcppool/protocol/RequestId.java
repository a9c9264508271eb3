package io.mcppool.protocol;

import java.util.Objects;

/**
 * A JSON-RPC request id: a number or a string. Ids this library allocates are always numbers;
 * servers may send either kind in their own requests, and the reply must echo it unchanged.
 */
public final class RequestId {
    private final long number;
    private final String string;

    private RequestId(long number, String string) {
        this.number = number;
        this.string = string;
    }

    public static RequestId of(long number) {
        return new RequestId(number, null);
    }

    public static RequestId of(String string) {
        return new RequestId(0, Objects.requireNonNull(string, "string"));
    }

    public boolean isNumber() {
        return string == null;
    }

    /** The numeric value; only meaningful when {@link #isNumber()}. */
    public long number() {
        return number;
    }

    /** The string value; only meaningful when not {@link #isNumber()}. */
    public String string() {
        return string;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestId other && number == other.number && Objects.equals(string, other.string);
    }

    @Override
    public int hashCode() {
        return string == null ? Long.hashCode(number) : string.hashCode();
    }

    @Override
    public String toString() {
        return string == null ? Long.toString(number) : '"' + string + '"';
    }
}
