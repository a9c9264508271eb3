package io.mcppool.gateway.ops;

import io.mcppool.config.Redaction;
import io.mcppool.cache.CacheStats;
import io.mcppool.status.HealthStatus;
import io.mcppool.stats.Latency;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page: one HTML document rendered here from a {@link StatusReport}, with no framework and no external
 * resource. Everything is in the markup, so it reads the same without JavaScript; a few lines of inline script
 * fetch the page again every {@value #REFRESH_SECONDS} seconds and swap its {@code <main>} (the scroll position
 * stays), and without script a {@code <noscript>} meta refresh reloads it. Rendering lives only here: the script
 * takes this page's own markup rather than re-rendering {@code /api/status}, so there is one renderer to escape.
 *
 * <p>Hooks for tests and scripts: each server is {@code <section class="server" data-server="NAME"
 * data-state="healthy|degraded|unhealthy" data-required="true|false" data-ready="true|false">}, each of its
 * endpoints {@code <tr class="endpoint" data-endpoint="..." data-state="..." data-breaker="...">}, and
 * {@code <main id="status" data-status="..." data-ready="...">}.
 *
 * <p>Every text from the pool (server names, endpoint labels, tool names from clients, error messages from servers)
 * is escaped for HTML. The page's Content-Security-Policy allows only its own inline script, by hash.
 */
final class StatusPage {
    static final int REFRESH_SECONDS = 5;

    /** Swaps {@code <main>} for the freshly fetched one; on failure says so in the footer and keeps the old data. */
    static final String SCRIPT = "(function(){var busy=false;setInterval(function(){"
            + "if(busy||document.hidden)return;busy=true;"
            + "fetch(location.href,{cache:'no-store',credentials:'same-origin'}).then(function(r){"
            + "if(!r.ok)throw new Error('HTTP '+r.status);return r.text();}).then(function(t){"
            + "var next=new DOMParser().parseFromString(t,'text/html').getElementById('status');"
            + "if(next){document.getElementById('status').replaceWith(next);document.title=next.dataset.title;}"
            + "}).catch(function(e){var s=document.getElementById('refreshed');"
            + "if(s)s.textContent='not refreshed since '+new Date().toLocaleTimeString()+': '+e.message;"
            + "}).finally(function(){busy=false;});}," + REFRESH_SECONDS * 1000 + ");})();";

    /** Only the script above may run; styles are inline; nothing is loaded from elsewhere. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src '" + sha256(SCRIPT) + "'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
            main{max-width:1200px;margin:0 auto;padding:16px}
            h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0 0 6px}
            section{background:#fff;border:1px solid #d9dde5;border-radius:6px;padding:12px;margin:12px 0}
            section.server[data-state=degraded]{border-left:5px solid #d08a00}
            section.server[data-state=unhealthy]{border-left:5px solid #c62828}
            section.server[data-state=healthy]{border-left:5px solid #2e7d32}
            .state{display:inline-block;padding:0 6px;border-radius:3px;font-weight:600;font-size:12px}
            .healthy,.closed{background:#e3f2e5;color:#1b5e20}.degraded,.half_open{background:#fff3d6;color:#7a4f00}
            .unhealthy,.open,.forced_open{background:#fde2e2;color:#8e1b1b}
            .tag{font-size:12px;color:#555;border:1px solid #bbb;border-radius:3px;padding:0 4px}
            .alert{background:#fde2e2;border:1px solid #e0a0a0;border-radius:6px;padding:8px 12px;margin:12px 0}
            .meta,.figures{color:#444}.reasons{margin:4px 0;color:#8e1b1b}
            table{border-collapse:collapse;width:100%;margin-top:6px}
            th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
            th{font-weight:600;color:#555}td.num,th.num{text-align:right}
            code{font:12px ui-monospace,monospace;word-break:break-all}.small{font-size:12px;color:#666}
            footer{color:#666;font-size:12px;margin-top:12px}
            """;

    private StatusPage() {
    }

    static String render(StatusReport r) {
        StringBuilder h = new StringBuilder(8192);
        String title = "mcp-pool gateway: " + r.status().tagValue() + (r.readiness().ready() ? "" : ", not ready");
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n")
                .append("<noscript><meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\"></noscript>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<main id=\"status\" data-status=\"").append(r.status().tagValue())
                .append("\" data-ready=\"").append(r.readiness().ready())
                .append("\" data-title=\"").append(esc(title)).append("\">\n");
        header(h, r);
        alerts(h, r);
        for (StatusReport.Server s : r.servers()) {
            server(h, s, r.windowSeconds());
        }
        if (r.servers().isEmpty()) {
            h.append("<section id=\"no-servers\"><p>No server is configured.</p></section>\n");
        }
        cache(h, r.cache());
        recentErrors(h, r);
        h.append("<footer><span id=\"refreshed\">as of ").append(time(r.takenAt())).append(", refreshes every ")
                .append(REFRESH_SECONDS).append(" s</span> \u00b7 <a href=\"api/status\">JSON</a> \u00b7 ")
                .append("<a href=\"metrics\">metrics</a> \u00b7 <a href=\"readyz\">readyz</a></footer>\n");
        h.append("</main>\n<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, StatusReport r) {
        StatusReport.Gateway g = r.gateway();
        h.append("<header>\n<h1>mcp-pool gateway ");
        state(h, r.status());
        h.append(" <span class=\"state ").append(r.readiness().ready() ? "healthy\">ready" : "unhealthy\">not ready")
                .append("</span>");
        if (g.draining()) {
            h.append(" <span class=\"state degraded\">draining</span>");
        }
        h.append("</h1>\n<p class=\"meta\">")
                .append(r.servers().size()).append(r.servers().size() == 1 ? " server" : " servers")
                .append(" \u00b7 <span id=\"client-sessions\">").append(g.clientSessions()).append("</span> client ")
                .append(g.clientSessions() == 1 ? "session" : "sessions")
                .append(" \u00b7 started ").append(time(g.startedAt())).append(" (up ")
                .append(uptime(g.uptimeSeconds())).append(")")
                .append(" \u00b7 config <code>").append(esc(g.configSource())).append("</code></p>\n");
        if (!r.reasons().isEmpty()) {
            list(h, "reasons", r.reasons());
        }
        h.append("</header>\n");
    }

    private static void alerts(StringBuilder h, StatusReport r) {
        StatusReport.Gateway g = r.gateway();
        if (g.lastReloadError() != null) {
            h.append("<div class=\"alert\" id=\"reload-error\"><strong>The last reload was rejected</strong> ")
                    .append("(the previous config is still running): ").append(esc(g.lastReloadError())).append("</div>\n");
        }
        if (!r.readiness().ready()) {
            h.append("<div class=\"alert\" id=\"not-ready\"><strong>Not ready</strong><ul>");
            for (Readiness.NotReady n : r.readiness().notReady()) {
                h.append("<li><code>").append(esc(n.server())).append("</code>: ").append(esc(n.reason())).append("</li>");
            }
            h.append("</ul></div>\n");
        }
        if (!g.clashes().isEmpty()) {
            h.append("<section id=\"clashes\"><h2>Name clashes</h2><p class=\"small\">")
                    .append("These names are claimed by more than one server; none of them is served.</p><ul>");
            for (Map.Entry<String, List<String>> c : g.clashes().entrySet()) {
                h.append("<li><code>").append(esc(c.getKey())).append("</code>: ")
                        .append(esc(String.join(", ", c.getValue()))).append("</li>");
            }
            h.append("</ul></section>\n");
        }
    }

    private static void server(StringBuilder h, StatusReport.Server s, long windowSeconds) {
        h.append("<section class=\"server\" data-server=\"").append(esc(s.name()))
                .append("\" data-state=\"").append(s.state().tagValue())
                .append("\" data-required=\"").append(s.required())
                .append("\" data-ready=\"").append(s.ready()).append("\">\n<h2>").append(esc(s.name())).append(' ');
        state(h, s.state());
        if (s.required()) {
            h.append(" <span class=\"tag\">required</span>");
        }
        if (!s.ready()) {
            h.append(" <span class=\"state unhealthy\">no endpoint can take calls</span>");
        }
        h.append("</h2>\n<p class=\"figures\">").append(esc(s.transport()));
        if (s.endpoints().size() > 1) {
            h.append(" \u00b7 ").append(s.endpoints().size()).append(" endpoints, ").append(esc(s.balance()));
        }
        if (s.toolCount() >= 0) {
            h.append(" \u00b7 ").append(s.toolCount()).append(s.toolCount() == 1 ? " tool" : " tools");
        }
        h.append(" \u00b7 ").append(s.inFlight()).append(" in flight \u00b7 ").append(s.sessions())
                .append(s.sessions() == 1 ? " session" : " sessions").append(" open (").append(s.idleSessions())
                .append(" idle)</p>\n<p class=\"figures\">")
                .append(s.calls()).append(s.calls() == 1 ? " call, " : " calls, ").append(s.errors())
                .append(s.errors() == 1 ? " error" : " errors");
        if (s.calls() > 0) {
            h.append(" (").append(String.format(Locale.ROOT, "%.1f", s.errorRate() * 100)).append("%)");
        }
        if (s.toolErrors() > 0) {
            h.append(", ").append(s.toolErrors()).append(" tool ").append(s.toolErrors() == 1 ? "error" : "errors");
        }
        h.append(" in the last ").append(windowSeconds).append(" s");
        Latency l = s.latency();
        if (l != null) {
            h.append(" \u00b7 latency p50 ").append(millis(l.p50Ms())).append(", p95 ").append(millis(l.p95Ms()))
                    .append(", p99 ").append(millis(l.p99Ms()));
        }
        h.append("</p>\n");
        if (!s.reasons().isEmpty()) {
            list(h, "reasons", s.reasons());
        }
        h.append("<table class=\"endpoints\"><thead><tr><th>endpoint</th><th>state</th><th>health check</th>")
                .append("<th>breaker</th><th class=\"num\">in flight</th><th class=\"num\">waiting</th>")
                .append("<th class=\"num\">sessions (idle)</th><th class=\"num\">restarts</th></tr></thead><tbody>\n");
        for (StatusReport.Endpoint e : s.endpoints()) {
            h.append("<tr class=\"endpoint\" data-endpoint=\"").append(esc(e.name()))
                    .append("\" data-state=\"").append(e.state().tagValue())
                    .append("\" data-breaker=\"").append(esc(e.breaker())).append("\"><td><code>").append(esc(e.name()))
                    .append("</code> <span class=\"small\">").append(esc(e.transport())).append("</span>");
            if (e.lastOpenFailure() != null) {
                h.append("<div class=\"reasons\">last open failed: ").append(esc(e.lastOpenFailure())).append("</div>");
            }
            h.append("</td><td>");
            state(h, e.state());
            for (String reason : e.reasons()) {
                h.append("<div class=\"small\">").append(esc(reason)).append("</div>");
            }
            h.append("</td><td><span class=\"state ").append(esc(e.health())).append("\">").append(esc(e.health()))
                    .append("</span>");
            if (e.healthReason() != null && !e.healthReason().isEmpty()) {
                h.append("<div class=\"small\">").append(esc(e.healthReason())).append("</div>");
            }
            h.append("</td><td><span class=\"state ").append(esc(e.breaker())).append("\">").append(esc(e.breaker()))
                    .append("</span></td><td class=\"num\">").append(e.inFlight())
                    .append("</td><td class=\"num\">").append(e.pendingAcquires())
                    .append("</td><td class=\"num\">").append(e.sessions()).append(" (").append(e.idleSessions()).append(')');
            if (e.opening() > 0) {
                h.append(" +").append(e.opening()).append(" opening");
            }
            h.append("</td><td class=\"num\">").append(e.restarts()).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n</section>\n");
    }

    private static void cache(StringBuilder h, StatusReport.Cache c) {
        h.append("<section id=\"cache\"><h2>Result cache</h2>");
        if (!c.available()) {
            h.append("<p class=\"small\">No figures: ").append(esc(c.reason())).append("</p>");
        } else {
            CacheStats s = c.stats();
            long lookups = s.hits() + s.misses();
            h.append("<p class=\"figures\">").append(s.entries()).append(" entries (").append(bytes(s.bytes()))
                    .append(") \u00b7 ").append(s.hits()).append(" hits, ").append(s.misses()).append(" misses");
            if (lookups > 0) {
                h.append(" (").append(String.format(Locale.ROOT, "%.1f", 100.0 * s.hits() / lookups)).append("% hits)");
            }
            h.append(" \u00b7 ").append(s.evictions()).append(" evictions \u00b7 ").append(s.coalesced())
                    .append(" coalesced \u00b7 shared cache ").append(esc(s.sharedState())).append("</p>");
        }
        h.append("</section>\n");
    }

    private static void recentErrors(StringBuilder h, StatusReport r) {
        h.append("<section id=\"recent-errors\"><h2>Recent errors</h2>");
        if (r.recentErrors().isEmpty()) {
            h.append("<p class=\"small\">None since the gateway started.</p></section>\n");
            return;
        }
        h.append("<p class=\"small\">The last ").append(r.recentErrors().size()).append(" of ")
                .append(r.errorsTotal()).append(", newest first.</p>")
                .append("<table><thead><tr><th>time</th><th>server</th><th>tool</th><th>type</th><th>message</th>")
                .append("</tr></thead><tbody>\n");
        for (RecentErrors.Entry e : r.recentErrors()) {
            h.append("<tr class=\"error\" data-server=\"").append(esc(e.server())).append("\" data-type=\"")
                    .append(esc(e.type())).append("\"><td>").append(time(e.at()));
            if (e.count() > 1) {
                h.append(" <span class=\"small\">\u00d7").append(e.count()).append(" since ").append(time(e.firstAt()))
                        .append("</span>");
            }
            h.append("</td><td><code>").append(esc(e.server())).append("</code>");
            if (e.endpoint() != null) {
                h.append("<div class=\"small\"><code>").append(esc(e.endpoint())).append("</code></div>");
            }
            h.append("</td><td><code>").append(e.tool() == null ? "" : esc(e.tool())).append("</code></td><td>")
                    .append(esc(e.type())).append("</td><td>").append(esc(e.message())).append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void state(StringBuilder h, HealthStatus s) {
        h.append("<span class=\"state ").append(s.tagValue()).append("\">").append(s.tagValue()).append("</span>");
    }

    private static void list(StringBuilder h, String cssClass, List<String> items) {
        h.append("<ul class=\"").append(cssClass).append("\">");
        for (String item : items) {
            h.append("<li>").append(esc(item)).append("</li>");
        }
        h.append("</ul>\n");
    }

    /** Escapes text for element content and double- or single-quoted attribute values. */
    /** HTML-escaped, and redacted first: everything the page shows passes here, so no secret reaches it. */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        String s = Redaction.text(text);
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                out.append(rep);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    static String time(Instant t) {
        return t == null ? "" : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String uptime(long seconds) {
        Duration d = Duration.ofSeconds(seconds);
        if (d.toDays() > 0) {
            return d.toDays() + "d " + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m " + d.toSecondsPart() + "s";
        }
        return seconds + "s";
    }

    static String millis(double ms) {
        if (ms >= 10_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000);
        }
        return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.0f ms", ms);
    }

    private static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    private static String sha256(String script) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
