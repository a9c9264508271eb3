package io.mcppool.internal.catalog;

import io.mcppool.catalog.CatalogEntry;
import io.mcppool.protocol.Prompt;
import io.mcppool.protocol.Resource;
import io.mcppool.protocol.ResourceTemplate;
import io.mcppool.protocol.Tool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every server's names in one aggregate, for the gateway: tools and prompts by aggregate name, resources by
 * URI, resource templates in a list to match against. Immutable; built anew whenever a list changes, so a
 * lookup is one hash probe on a snapshot that no writer touches. A name claimed by two servers is in
 * {@link #clashes()} and resolves to nothing.
 */
final class CatalogIndex {
    static final CatalogIndex EMPTY = build(List.of(), "__");

    /** One server's lists as the index needs them. */
    record ServerView(String server, String prefix, boolean trusted, List<Tool> tools, List<Resource> resources,
                      List<ResourceTemplate> templates, List<Prompt> prompts) {
    }

    private record TemplateRoute(String server, UriTemplate template) {
    }

    private final Map<String, CatalogEntry> tools;
    private final Map<String, CatalogEntry> prompts;
    private final Map<String, String> resources;
    /** Exact URIs two servers list: they must not fall through to template matching. */
    private final Set<String> clashingUris;
    private final List<TemplateRoute> templates;
    private final Map<String, List<String>> clashes;

    private CatalogIndex(Map<String, CatalogEntry> tools, Map<String, CatalogEntry> prompts,
                         Map<String, String> resources, Set<String> clashingUris, List<TemplateRoute> templates,
                         Map<String, List<String>> clashes) {
        this.tools = tools;
        this.prompts = prompts;
        this.resources = resources;
        this.clashingUris = clashingUris;
        this.templates = templates;
        this.clashes = clashes;
    }

    /** {@code prefix + separator + name}; the name alone when the prefix is empty. */
    static String aggregateName(String prefix, String separator, String name) {
        return prefix.isEmpty() ? name : prefix + separator + name;
    }

    static CatalogIndex build(Collection<ServerView> servers, String separator) {
        int toolCount = 0;
        for (ServerView s : servers) {
            toolCount += s.tools().size();
        }
        Map<String, CatalogEntry> tools = new HashMap<>(Math.max(16, toolCount * 4 / 3 + 1));
        Map<String, CatalogEntry> prompts = new HashMap<>();
        Map<String, String> resources = new HashMap<>();
        Map<String, String> templateOwners = new HashMap<>();
        List<TemplateRoute> templates = new ArrayList<>();
        Map<String, Set<String>> clashes = new TreeMap<>();
        Set<String> toolClashes = new HashSet<>();
        Set<String> promptClashes = new HashSet<>();
        Set<String> uriClashes = new HashSet<>();
        for (ServerView s : servers) {
            for (Tool t : s.tools()) {
                String name = aggregateName(s.prefix(), separator, t.name());
                CatalogEntry entry = new CatalogEntry(s.server(), t.name(), Optional.of(t), s.trusted());
                CatalogEntry before = tools.putIfAbsent(name, entry);
                if (before != null && !before.server().equals(s.server())) {
                    toolClashes.add(name);
                    claim(clashes, name, before.server(), s.server());
                }
            }
            for (Prompt p : s.prompts()) {
                String name = aggregateName(s.prefix(), separator, p.name());
                CatalogEntry before = prompts.putIfAbsent(name, new CatalogEntry(s.server(), p.name(), Optional.empty(),
                        s.trusted()));
                if (before != null && !before.server().equals(s.server())) {
                    promptClashes.add(name);
                    claim(clashes, name, before.server(), s.server());
                }
            }
            for (Resource r : s.resources()) {
                String before = resources.putIfAbsent(r.uri(), s.server());
                if (before != null && !before.equals(s.server())) {
                    uriClashes.add(r.uri());
                    claim(clashes, r.uri(), before, s.server());
                }
            }
            for (ResourceTemplate t : s.templates()) {
                String before = templateOwners.putIfAbsent(t.uriTemplate(), s.server());
                if (before == null) {
                    templates.add(new TemplateRoute(s.server(), UriTemplate.compile(t.uriTemplate())));
                } else if (!before.equals(s.server())) {
                    // Every URI it matches is ambiguous; resolveResource finds both owners and answers nothing.
                    templates.add(new TemplateRoute(s.server(), UriTemplate.compile(t.uriTemplate())));
                    claim(clashes, t.uriTemplate(), before, s.server());
                }
            }
        }
        tools.keySet().removeAll(toolClashes);
        prompts.keySet().removeAll(promptClashes);
        resources.keySet().removeAll(uriClashes);
        Map<String, List<String>> clashList = new TreeMap<>();
        clashes.forEach((name, owners) -> clashList.put(name, List.copyOf(owners)));
        return new CatalogIndex(tools, prompts, resources, Set.copyOf(uriClashes), List.copyOf(templates),
                Collections.unmodifiableMap(clashList));
    }

    private static void claim(Map<String, Set<String>> clashes, String name, String first, String second) {
        Set<String> owners = clashes.computeIfAbsent(name, k -> new TreeSet<>());
        owners.add(first);
        owners.add(second);
    }

    Optional<CatalogEntry> tool(String aggregateName) {
        return Optional.ofNullable(tools.get(aggregateName));
    }

    Optional<CatalogEntry> prompt(String aggregateName) {
        return Optional.ofNullable(prompts.get(aggregateName));
    }

    /** The server listing the URI; else the one server whose template matches it; else none (also when two do). */
    Optional<String> resource(String uri) {
        String owner = resources.get(uri);
        if (owner != null) {
            return Optional.of(owner);
        }
        if (clashingUris.contains(uri)) {
            return Optional.empty();
        }
        String match = null;
        for (TemplateRoute route : templates) {
            if (route.template().matches(uri)) {
                if (match == null) {
                    match = route.server();
                } else if (!match.equals(route.server())) {
                    return Optional.empty();
                }
            }
        }
        return Optional.ofNullable(match);
    }

    /** Aggregate names (and resource URIs, templates) that more than one server claims, with those servers, sorted. */
    Map<String, List<String>> clashes() {
        return clashes;
    }
}
