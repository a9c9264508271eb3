package io.mcppool.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reload ({@code McpPool.reconfigure}) did: servers started, servers drained and stopped, and servers
 * restarted with new settings (drained first, like removed ones). Each list is in config order.
 *
 * @param added   servers in the new config only
 * @param removed servers in the old config only
 * @param changed servers in both whose settings differ
 */
public record ReloadResult(List<String> added, List<String> removed, List<String> changed) {
    public ReloadResult {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }

    /** What moving from {@code current} to {@code next} adds, removes and changes. */
    public static ReloadResult between(McpPoolConfig current, McpPoolConfig next) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (ServerConfig s : next.servers().values()) {
            ServerConfig before = current.servers().get(s.name());
            if (before == null) {
                added.add(s.name());
            } else if (!before.equals(s)) {
                changed.add(s.name());
            }
        }
        List<String> removed = new ArrayList<>();
        for (String name : current.servers().keySet()) {
            if (!next.servers().containsKey(name)) {
                removed.add(name);
            }
        }
        return new ReloadResult(added, removed, changed);
    }

    /** True when the reload added, removed and changed nothing. */
    public boolean nothingChanged() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }
}
