package io.mcppool.it.architecture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The strongly connected components of a package dependency graph (Tarjan): each component of two or more is a cycle. */
final class PackageCycles {
    private final Map<String, Set<String>> graph;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> low = new HashMap<>();
    private final Deque<String> stack = new ArrayDeque<>();
    private final Set<String> onStack = new TreeSet<>();
    private final List<Set<String>> components = new ArrayList<>();
    private int next;

    private PackageCycles(Map<String, Set<String>> graph) {
        this.graph = graph;
    }

    static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        PackageCycles t = new PackageCycles(graph);
        for (String node : graph.keySet()) {
            if (!t.index.containsKey(node)) {
                t.visit(node);
            }
        }
        return t.components;
    }

    private void visit(String node) {
        index.put(node, next);
        low.put(node, next);
        next++;
        stack.push(node);
        onStack.add(node);
        for (String target : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(target)) {
                visit(target);
                low.put(node, Math.min(low.get(node), low.get(target)));
            } else if (onStack.contains(target)) {
                low.put(node, Math.min(low.get(node), index.get(target)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            components.add(component);
        }
    }
}
