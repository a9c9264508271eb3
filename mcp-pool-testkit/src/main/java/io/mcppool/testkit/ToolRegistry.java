package io.mcppool.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.Tool;
import io.mcppool.protocol.ToolAnnotations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tools of one server, in listing order, plus the ones {@code notify_tools_changed} adds at run
 * time. Reads are lock-free (an immutable snapshot swapped on change) because every call looks a
 * tool up; changes are rare and take a lock.
 */
final class ToolRegistry {

    /**
     * One tool. {@code inline}: the handler never blocks, so the session runs it on the thread that
     * read the request instead of starting a thread for it (keeps {@code echo} cheap).
     */
    record Entry(Tool tool, ToolHandler handler, boolean inline, JsonNode listing) {
        Entry(Tool tool, ToolHandler handler, boolean inline) {
            this(tool, handler, inline, listingOf(tool));
        }
    }

    /**
     * The tool as {@code tools/list} shows it, built by hand: binding records through Jackson's
     * introspection costs tens of milliseconds at start-up, which every spawned server would pay.
     */
    static ObjectNode listingOf(Tool tool) {
        ObjectNode n = Json.object();
        n.put("name", tool.name());
        putIfSet(n, "title", tool.title());
        putIfSet(n, "description", tool.description());
        n.set("inputSchema", tool.inputSchema());
        if (tool.outputSchema() != null) {
            n.set("outputSchema", tool.outputSchema());
        }
        ToolAnnotations a = tool.annotations();
        if (a != null) {
            ObjectNode hints = n.putObject("annotations");
            putIfSet(hints, "title", a.title());
            putIfSet(hints, "readOnlyHint", a.readOnlyHint());
            putIfSet(hints, "destructiveHint", a.destructiveHint());
            putIfSet(hints, "idempotentHint", a.idempotentHint());
            putIfSet(hints, "openWorldHint", a.openWorldHint());
        }
        if (tool.meta() != null) {
            n.set("_meta", tool.meta());
        }
        return n;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void putIfSet(ObjectNode node, String field, Boolean value) {
        if (value != null) {
            node.put(field, value.booleanValue());
        }
    }

    /** Everything a lookup needs, replaced as a whole so readers never see a half-made change. */
    private record Snapshot(List<Entry> list, Map<String, Entry> byName) {
    }

    private static final String CURSOR_PREFIX = "tools:";

    private final ReentrantLock changeLock = new ReentrantLock();
    private volatile Snapshot snapshot;
    private int extraCount;

    ToolRegistry(List<Entry> initial) {
        snapshot = snapshotOf(new ArrayList<>(initial));
    }

    List<Entry> all() {
        return snapshot.list();
    }

    Entry find(String name) {
        return snapshot.byName().get(name);
    }

    /** Adds {@code extra_<n>} and returns its name. */
    String addExtra() {
        changeLock.lock();
        try {
            String name = "extra_" + (++extraCount);
            List<Entry> list = new ArrayList<>(snapshot.list());
            list.add(BuiltinTools.extra(name));
            snapshot = snapshotOf(list);
            return name;
        } finally {
            changeLock.unlock();
        }
    }

    /** A page of the listing: its entries and the cursor of the next page, or null at the end. */
    record Page(List<Entry> entries, String nextCursor) {
    }

    /**
     * The page after {@code cursor} (null for the first). The cursor is opaque to clients; it holds
     * an offset, so it stays valid while tools are only ever appended. Throws
     * {@link IllegalArgumentException} for a cursor this server did not hand out.
     */
    Page page(String cursor, int pageSize) {
        List<Entry> list = snapshot.list();
        int from = cursor == null ? 0 : decodeCursor(cursor, list.size());
        int to = Math.min(list.size(), from + pageSize);
        return new Page(list.subList(from, to), to < list.size() ? encodeCursor(to) : null);
    }

    private static String encodeCursor(int offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decodeCursor(String cursor, int size) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(CURSOR_PREFIX)) {
                int offset = Integer.parseInt(text.substring(CURSOR_PREFIX.length()));
                if (offset >= 0 && offset <= size) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below: bad base64 and bad numbers are the same to a client
        }
        throw new IllegalArgumentException("Invalid cursor: " + cursor);
    }

    private static Snapshot snapshotOf(List<Entry> list) {
        Map<String, Entry> byName = new HashMap<>();
        for (Entry e : list) {
            byName.put(e.tool().name(), e);
        }
        return new Snapshot(List.copyOf(list), byName);
    }
}
