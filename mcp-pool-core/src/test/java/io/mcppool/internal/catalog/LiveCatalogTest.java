package io.mcppool.internal.catalog;

import io.mcppool.events.PoolEvents;
import io.mcppool.internal.engine.CompositePoolEvents;
import static io.mcppool.internal.catalog.CatalogIndexTest.prompt;
import static io.mcppool.internal.catalog.CatalogIndexTest.resource;
import static io.mcppool.internal.catalog.CatalogIndexTest.tool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mcppool.catalog.ToolCatalog;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mcppool.call.ProtocolErrorException;
import io.mcppool.call.TransportFailureException;
import io.mcppool.call.UnknownServerException;
import io.mcppool.config.EndpointConfig;
import io.mcppool.config.PoolMode;
import io.mcppool.config.PoolSettings;
import io.mcppool.config.ServerConfig;
import io.mcppool.internal.protocol.InitializeResult;
import io.mcppool.protocol.Json;
import io.mcppool.protocol.JsonRpcError;
import io.mcppool.protocol.McpMethods;
import io.mcppool.protocol.Tool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The catalog over in-memory listers: what is listed when, change detection, coalescing, failures, clashes. */
class LiveCatalogTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** One background thread, so {@link #flush()} proves every earlier background step (a listener call) ran. */
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> new Thread(r, "catalog-bg"));
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final CompositePoolEvents events = new CompositePoolEvents(List.of());
    private final LiveCatalog catalog = new LiveCatalog("__", timer, background, events);
    private final List<String> told = new CopyOnWriteArrayList<>();

    LiveCatalogTest() {
        onChange((server, kind) -> told.add(server + " " + kind + " on " + Thread.currentThread().getName()));
    }

    /** A listener of the catalog's changes, among the pool's listeners. */
    private void onChange(java.util.function.BiConsumer<String, ToolCatalog.Kind> listener) {
        events.add(new PoolEvents() {
            @Override
            public void catalogChanged(String server, ToolCatalog.Kind kind) {
                listener.accept(server, kind);
            }
        });
    }

    @AfterEach
    void close() {
        catalog.close();
        timer.shutdownNow();
        background.shutdownNow();
    }

    private static ServerConfig.Builder server(String name) {
        return ServerConfig.builder(name, new EndpointConfig.Custom("in memory", () -> {
            throw new UnsupportedOperationException("the catalog tests never open a session");
        }));
    }

    private static InitializeResult declaring(String... capabilities) {
        var caps = Json.object();
        for (String c : capabilities) {
            caps.putObject(c);
        }
        return new InitializeResult("2025-11-25", caps, null, null);
    }

    private void flush() throws Exception {
        background.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aJoinedSessionListsWhatItsHandshakeDeclaresAndNothingElse() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        lister.prompts = List.of(prompt("p"));
        ServerLists lists = catalog.add(server("s").build(), lister);

        lists.sessionJoined(declaring("tools", "logging"));
        catalog.loaded("s").get(5, TimeUnit.SECONDS);

        assertThat(lister.calls(McpMethods.TOOLS_LIST)).isEqualTo(1);
        assertThat(lister.calls(McpMethods.PROMPTS_LIST)).isZero();
        assertThat(lister.calls(McpMethods.RESOURCES_LIST)).isZero();
        assertThat(lister.calls(McpMethods.RESOURCES_TEMPLATES_LIST)).isZero();
        assertThat(catalog.tools("s")).extracting(Tool::name).containsExactly("a");
        assertThat(lists.loaded(ToolCatalog.Kind.PROMPTS)).as("a server without prompts has none").isTrue();
        assertThat(catalog.prompts("s")).isEmpty();
    }

    @Test
    void listenersAreToldOnceOnABackgroundThreadAndOnlyWhenTheContentDiffers() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"), tool("b"));
        ServerLists lists = catalog.add(server("s").build(), lister);
        lists.sessionJoined(declaring("tools"));
        catalog.loaded("s").get(5, TimeUnit.SECONDS);
        flush();
        assertThat(told).containsExactly("s TOOLS on catalog-bg");
        List<Tool> first = catalog.tools("s");

        // Equal content in new instances and another order: no change, and the list keeps its instance.
        lister.tools = List.of(tool("b"), tool("a"));
        catalog.refresh("s").get(5, TimeUnit.SECONDS);
        flush();
        assertThat(told).hasSize(1);
        assertThat(catalog.tools("s")).isSameAs(first);

        // One description differs: a change, told once, and indexed before the listener hears of it.
        Tool changed = new Tool("b", "now different", Json.object().put("type", "object"));
        lister.tools = List.of(tool("a"), changed);
        List<String> seenByListener = new CopyOnWriteArrayList<>();
        onChange((server, kind) -> seenByListener.add(
                catalog.resolveTool("s__b").orElseThrow().tool().orElseThrow().description()));
        lists.listChanged(ToolCatalog.Kind.TOOLS);
        await().atMost(WAIT).until(() -> told.size() == 2);
        flush();
        assertThat(told).containsExactly("s TOOLS on catalog-bg", "s TOOLS on catalog-bg");
        assertThat(seenByListener).containsExactly("now different");
        assertThat(catalog.tool("s", "b")).hasValue(changed);
    }

    @Test
    void requestsWhileAListingRunsShareOneMoreListing() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        ServerLists lists = catalog.add(server("s").build(), lister);
        CompletableFuture<Void> gate = lister.hold();
        lists.listChanged(ToolCatalog.Kind.TOOLS);
        await().atMost(WAIT).until(() -> lister.calls(McpMethods.TOOLS_LIST) == 1);

        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int j = 0; j < 25; j++) {
                    lists.listChanged(ToolCatalog.Kind.TOOLS);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        CompletableFuture<Void> shared = lists.load(ToolCatalog.Kind.TOOLS); // any listing will do: the running one
        assertThat(lister.calls(McpMethods.TOOLS_LIST)).as("nothing more starts while one runs").isEqualTo(1);

        lister.gate = CompletableFuture.completedFuture(null);
        lister.tools = List.of(tool("a"), tool("b"));
        gate.complete(null);
        shared.get(5, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> catalog.tools("s").size() == 2);
        flush();
        assertThat(lister.calls(McpMethods.TOOLS_LIST)).as("200 requests: one follow-up listing").isEqualTo(2);
    }

    @Test
    void aFailedListingKeepsTheLastListLogsOnceAndTheNextTriggerListsAgain() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        ServerLists lists = catalog.add(server("s").build(), lister);
        catalog.refresh("s").get(5, TimeUnit.SECONDS);
        List<Tool> before = catalog.tools("s");

        ListAppender<ILoggingEvent> logs = capture(ToolCatalog.class);
        try {
            lister.failure = new TransportFailureException("pipe closed", "s", "ep", null, null);
            lister.tools = List.of(tool("a"), tool("b"));
            assertThatThrownBy(() -> catalog.refresh("s").get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(
                    TransportFailureException.class);
            assertThatThrownBy(() -> catalog.refresh("s").get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(
                    TransportFailureException.class);
            assertThat(catalog.tools("s")).isSameAs(before);
            assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage))
                    .hasSize(3) // tools, resources and prompts each failed once in a row: one WARN each
                    .allMatch(m -> m.contains("server 's'") && m.contains("keeps the last list") && m.contains("pipe closed"));
            assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.DEBUG)).hasSize(3);
        } finally {
            release(ToolCatalog.class, logs);
        }
        lister.failure = null;
        lists.listChanged(ToolCatalog.Kind.TOOLS);
        await().atMost(WAIT).until(() -> catalog.tools("s").size() == 2);
    }

    @Test
    void aServerAnsweringMethodNotFoundHasNoneOfThatKind() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        lister.resources = List.of(resource("r://1"));
        lister.failure = new ProtocolErrorException("no templates", "s", "ep", null,
                JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND, "Method not found"), null);
        lister.failing = McpMethods.RESOURCES_TEMPLATES_LIST;
        ServerLists lists = catalog.add(server("s").build(), lister);
        catalog.refresh("s").get(5, TimeUnit.SECONDS); // before any session: everything is listed
        assertThat(catalog.resources("s")).hasSize(1);
        assertThat(catalog.resourceTemplates("s")).isEmpty();
        assertThat(lists.loaded(ToolCatalog.Kind.RESOURCES)).isTrue();
        assertThat(catalog.resolveResource("r://1")).hasValue("s");
    }

    @Test
    void loadedCompletesAfterTheFirstAttemptEvenWhenItFailsOrNoSessionOpens() throws Exception {
        FakeLister failing = new FakeLister();
        failing.failure = new TransportFailureException("down", "s", "ep", null, null);
        ServerLists s = catalog.add(server("s").build(), failing);
        assertThat(catalog.loaded("s")).isNotDone();
        s.sessionJoined(declaring("tools"));
        catalog.loaded("s").get(5, TimeUnit.SECONDS);
        assertThat(s.loaded(ToolCatalog.Kind.TOOLS)).isFalse();

        ServerLists down = catalog.add(server("down").build(), new FakeLister());
        down.sessionOpenFailed();
        assertThat(catalog.loaded("down")).isCompleted();

        assertThat(catalog.loaded("nope")).isCompletedExceptionally();
        assertThatThrownBy(() -> catalog.namespacedName("nope", "x")).isInstanceOf(UnknownServerException.class);
    }

    @Test
    void theRefreshIntervalPicksUpAChangeNobodyAnnounced() {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        ServerLists lists = catalog.add(server("s").catalogRefresh(Duration.ofMillis(50)).build(), lister);
        lists.sessionJoined(declaring("tools"));
        await().atMost(WAIT).until(() -> catalog.tools("s").size() == 1);
        lister.tools = List.of(tool("a"), tool("b"));
        await().atMost(WAIT).until(() -> catalog.tools("s").size() == 2);
    }

    @Test
    void aStickyServerIsListedWhenAskedThenKeptCurrent() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        ServerLists lists = catalog.add(server("s").pool(PoolSettings.builder().mode(PoolMode.STICKY).build()).build(),
                lister);
        lists.sessionJoined(declaring("tools"));
        lists.listChanged(ToolCatalog.Kind.TOOLS);
        flush();
        assertThat(lister.calls(McpMethods.TOOLS_LIST)).as("a listing would take an affinity key's place").isZero();

        lists.load(ToolCatalog.Kind.TOOLS).get(5, TimeUnit.SECONDS);
        assertThat(catalog.tools("s")).hasSize(1);
        lister.tools = List.of(tool("a"), tool("b"));
        lists.listChanged(ToolCatalog.Kind.TOOLS);
        await().atMost(WAIT).until(() -> catalog.tools("s").size() == 2);
    }

    @Test
    void aClashIsLoggedOnceAtWarnWhenItAppearsAndResolvesToNothing() throws Exception {
        FakeLister a = new FakeLister();
        a.tools = List.of(tool("search"));
        FakeLister b = new FakeLister();
        b.tools = List.of(tool("other"));
        catalog.add(server("a").prefix("").build(), a);
        catalog.add(server("b").prefix("").build(), b);
        ListAppender<ILoggingEvent> logs = capture(ToolCatalog.class);
        try {
            catalog.refresh("a").get(5, TimeUnit.SECONDS);
            catalog.refresh("b").get(5, TimeUnit.SECONDS);
            assertThat(catalog.clashes()).isEmpty();
            assertThat(catalog.resolveTool("search").orElseThrow().server()).isEqualTo("a");

            b.tools = List.of(tool("other"), tool("search"));
            catalog.refresh("b").get(5, TimeUnit.SECONDS);
            b.tools = List.of(tool("other"), tool("search"), tool("third"));
            catalog.refresh("b").get(5, TimeUnit.SECONDS); // another change, the clash still there
            assertThat(catalog.clashes()).containsExactly(java.util.Map.entry("search", List.of("a", "b")));
            assertThat(catalog.resolveTool("search")).isEmpty();
            assertThat(catalog.resolveTool("third")).isPresent();
            assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage))
                    .containsExactly("'search' is offered by servers [a, b]: it resolves to none of them until their"
                            + " prefixes tell them apart");
        } finally {
            release(ToolCatalog.class, logs);
        }
    }

    @Test
    void anUnknownToolIsRefusedOnlyWhileNoListingMayBeAddingIt() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        ServerLists lists = catalog.add(server("s").build(), lister);
        assertThat(lists.lacksTool("b")).as("not loaded: the server decides").isFalse();
        catalog.refresh("s").get(5, TimeUnit.SECONDS);
        assertThat(lists.lacksTool("b")).isTrue();
        assertThat(lists.lacksTool("a")).isFalse();

        CompletableFuture<Void> gate = lister.hold();
        lister.tools = List.of(tool("a"), tool("b"));
        lists.listChanged(ToolCatalog.Kind.TOOLS);
        assertThat(lists.lacksTool("b")).as("a change notice is being listed").isFalse();
        gate.complete(null);
        await().atMost(WAIT).until(() -> lists.tool("b") != null);
        assertThat(lists.lacksTool("c")).isTrue();
    }

    @Test
    void listsAreImmutable() throws Exception {
        FakeLister lister = new FakeLister();
        lister.tools = List.of(tool("a"));
        catalog.add(server("s").build(), lister);
        catalog.refresh("s").get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> catalog.tools("s").add(tool("x"))).isInstanceOf(UnsupportedOperationException.class);
        assertThat(catalog.tools("nope")).isEmpty();
        assertThat(catalog.trusted("nope")).isFalse();
    }

    @Test
    void contentComparisonIgnoresOrderButCountsDuplicates() {
        assertThat(ServerLists.sameContent(List.of(tool("a"), tool("b")), List.of(tool("b"), tool("a")))).isTrue();
        assertThat(ServerLists.sameContent(List.of(tool("a"), tool("a"), tool("b")),
                List.of(tool("a"), tool("b"), tool("b")))).isFalse();
        assertThat(ServerLists.sameContent(List.of(tool("a")), List.of(tool("a"), tool("b")))).isFalse();
        Tool withSchema = new Tool("a", "the a tool", Json.object().put("type", "object").put("x", 1));
        assertThat(ServerLists.sameContent(List.of(tool("a")), List.of(withSchema))).as("schemas compare deeply")
                .isFalse();
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> loggerOf) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerOf);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
        logger.setAdditive(false);
        return appender;
    }

    private static void release(Class<?> loggerOf, ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerOf);
        logger.detachAppender(appender);
        logger.setLevel(null);
        logger.setAdditive(true);
    }
}
