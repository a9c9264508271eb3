package io.mcppool.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a testkit server behaves, whichever way it is run. The same options exist as command-line
 * flags ({@link #parse}, {@link #toArgs}) so a test can describe a child process and an in-code
 * server the same way.
 *
 * @param toolsPageSize   tools per {@code tools/list} page ({@code --tools-page-size}, default 100)
 * @param extraTools      trivial tools {@code tool_0001}.. added after the built-in ones, for pagination tests
 *                        ({@code --extra-tools})
 * @param slowStart       delay before answering {@code initialize} ({@code --slow-start MS})
 * @param hangInitialize  never answer {@code initialize} ({@code --hang-initialize})
 * @param protocolVersion the version to answer with whatever the client offers, or null to negotiate
 *                        ({@code --protocol-version V})
 * @param stderrNoise     write a line to stderr for every request ({@code --stderr-noise})
 * @param journal         a file to which every execution of {@code record} appends one line {@code <key>\n}
 *                        before it answers, or null ({@code --journal FILE}); several processes may share
 *                        one file, so a test can count executions across processes, restarts and replicas
 * @param label           a marker with no effect on behaviour, or null ({@code --label TEXT}): shown in
 *                        {@code serverInfo.title} ("mcp-pool testkit server: TEXT"), as {@code stats.label}
 *                        and on the command line, so a test can tell replicas' processes apart
 * @param conformance     serve the fixtures of the official MCP conformance suite instead of the built-in
 *                        tools, resources and prompts ({@code --conformance}; see {@code docs/conformance.md})
 * @param sequential      stdio only: read one message, handle it to the end, write its answer, then read the next,
 *                        all on one thread, as many simple servers do ({@code --sequential})
 * @param stopReadingAfter stdio only: after this many messages stop reading stdin for good, but keep running with
 *                        stdout open; 0 never stops ({@code --stop-reading-after N})
 * @param floodNotifications stdio only: once the client sent {@code notifications/initialized}, write this many
 *                        {@code notifications/message} (level warning) to stdout as fast as it takes them, while
 *                        requests keep being answered; 0 none ({@code --flood-notifications N})
 * @param floodBytes      the size of each flood notification's {@code data} ({@code --flood-bytes B}, default 256)
 * @param forkOnStart     stdio only: at start, leave a child ({@link TestkitOrphans}) that shares stdin, stdout and
 *                        stderr, and exit (code 0, no answer) at the first {@code tools/call} ({@code --fork-on-start})
 */
public record TestkitOptions(int toolsPageSize, int extraTools, Duration slowStart, boolean hangInitialize,
                             String protocolVersion, boolean stderrNoise, Path journal, String label,
                             boolean conformance, boolean sequential, int stopReadingAfter, int floodNotifications,
                             int floodBytes, boolean forkOnStart) {

    public static final int DEFAULT_TOOLS_PAGE_SIZE = 100;
    public static final int DEFAULT_FLOOD_BYTES = 256;
    /** A flood notification's data is built in memory once; this keeps it from being a memory test itself. */
    public static final int MAX_FLOOD_BYTES = 16 * 1024 * 1024;

    public TestkitOptions {
        if (toolsPageSize < 1) {
            throw new IllegalArgumentException("toolsPageSize must be at least 1, got " + toolsPageSize);
        }
        if (extraTools < 0 || extraTools > 9999) {
            throw new IllegalArgumentException("extraTools must be between 0 and 9999, got " + extraTools);
        }
        slowStart = slowStart == null ? Duration.ZERO : slowStart;
        if (slowStart.isNegative()) {
            throw new IllegalArgumentException("slowStart must not be negative, got " + slowStart);
        }
        if (stopReadingAfter < 0) {
            throw new IllegalArgumentException("stopReadingAfter must not be negative, got " + stopReadingAfter);
        }
        if (floodNotifications < 0) {
            throw new IllegalArgumentException("floodNotifications must not be negative, got " + floodNotifications);
        }
        if (floodBytes < 0 || floodBytes > MAX_FLOOD_BYTES) {
            throw new IllegalArgumentException("floodBytes must be between 0 and " + MAX_FLOOD_BYTES + ", got " + floodBytes);
        }
    }

    /** The flags set here that only a stdio server can honour. */
    public List<String> stdioOnlyFlags() {
        List<String> flags = new ArrayList<>();
        if (sequential) {
            flags.add("--sequential");
        }
        if (stopReadingAfter > 0) {
            flags.add("--stop-reading-after");
        }
        if (floodNotifications > 0) {
            flags.add("--flood-notifications");
        }
        if (forkOnStart) {
            flags.add("--fork-on-start");
        }
        return flags;
    }

    public static TestkitOptions defaults() {
        return new TestkitOptions(DEFAULT_TOOLS_PAGE_SIZE, 0, Duration.ZERO, false, null, false, null, null, false,
                false, 0, 0, DEFAULT_FLOOD_BYTES, false);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Reads the flags documented on the record's components. Throws {@link IllegalArgumentException}
     * naming the flag for anything it does not know or cannot read.
     */
    public static TestkitOptions parse(List<String> args) {
        Builder b = builder();
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            switch (flag) {
                case "--tools-page-size" -> b.toolsPageSize(intValue(args, ++i, flag));
                case "--extra-tools" -> b.extraTools(intValue(args, ++i, flag));
                case "--slow-start" -> b.slowStart(Duration.ofMillis(intValue(args, ++i, flag)));
                case "--hang-initialize" -> b.hangInitialize(true);
                case "--protocol-version" -> b.protocolVersion(value(args, ++i, flag));
                case "--stderr-noise" -> b.stderrNoise(true);
                case "--journal" -> b.journal(Path.of(value(args, ++i, flag)));
                case "--label" -> b.label(value(args, ++i, flag));
                case "--conformance" -> b.conformance(true);
                case "--sequential" -> b.sequential(true);
                case "--stop-reading-after" -> b.stopReadingAfter(intValue(args, ++i, flag));
                case "--flood-notifications" -> b.floodNotifications(intValue(args, ++i, flag));
                case "--flood-bytes" -> b.floodBytes(intValue(args, ++i, flag));
                case "--fork-on-start" -> b.forkOnStart(true);
                default -> throw new IllegalArgumentException("unknown option: " + flag);
            }
        }
        return b.build();
    }

    /** The flags that {@link #parse} turns back into these options; defaults are left out. */
    public List<String> toArgs() {
        List<String> args = new ArrayList<>();
        if (toolsPageSize != DEFAULT_TOOLS_PAGE_SIZE) {
            args.add("--tools-page-size");
            args.add(Integer.toString(toolsPageSize));
        }
        if (extraTools != 0) {
            args.add("--extra-tools");
            args.add(Integer.toString(extraTools));
        }
        if (!slowStart.isZero()) {
            args.add("--slow-start");
            args.add(Long.toString(slowStart.toMillis()));
        }
        if (hangInitialize) {
            args.add("--hang-initialize");
        }
        if (protocolVersion != null) {
            args.add("--protocol-version");
            args.add(protocolVersion);
        }
        if (stderrNoise) {
            args.add("--stderr-noise");
        }
        if (journal != null) {
            args.add("--journal");
            args.add(journal.toString());
        }
        if (label != null) {
            args.add("--label");
            args.add(label);
        }
        if (conformance) {
            args.add("--conformance");
        }
        if (sequential) {
            args.add("--sequential");
        }
        if (stopReadingAfter != 0) {
            args.add("--stop-reading-after");
            args.add(Integer.toString(stopReadingAfter));
        }
        if (floodNotifications != 0) {
            args.add("--flood-notifications");
            args.add(Integer.toString(floodNotifications));
        }
        if (floodBytes != DEFAULT_FLOOD_BYTES) {
            args.add("--flood-bytes");
            args.add(Integer.toString(floodBytes));
        }
        if (forkOnStart) {
            args.add("--fork-on-start");
        }
        return args;
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args.get(i);
    }

    private static int intValue(List<String> args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + v + "'");
        }
    }

    public static final class Builder {
        private int toolsPageSize;
        private int extraTools;
        private Duration slowStart;
        private boolean hangInitialize;
        private String protocolVersion;
        private boolean stderrNoise;
        private Path journal;
        private String label;
        private boolean conformance;
        private boolean sequential;
        private int stopReadingAfter;
        private int floodNotifications;
        private int floodBytes;
        private boolean forkOnStart;

        private Builder(TestkitOptions from) {
            toolsPageSize = from.toolsPageSize;
            extraTools = from.extraTools;
            slowStart = from.slowStart;
            hangInitialize = from.hangInitialize;
            protocolVersion = from.protocolVersion;
            stderrNoise = from.stderrNoise;
            journal = from.journal;
            label = from.label;
            conformance = from.conformance;
            sequential = from.sequential;
            stopReadingAfter = from.stopReadingAfter;
            floodNotifications = from.floodNotifications;
            floodBytes = from.floodBytes;
            forkOnStart = from.forkOnStart;
        }

        public Builder toolsPageSize(int value) {
            toolsPageSize = value;
            return this;
        }

        public Builder extraTools(int value) {
            extraTools = value;
            return this;
        }

        public Builder slowStart(Duration value) {
            slowStart = Objects.requireNonNull(value, "slowStart");
            return this;
        }

        public Builder hangInitialize(boolean value) {
            hangInitialize = value;
            return this;
        }

        public Builder protocolVersion(String value) {
            protocolVersion = value;
            return this;
        }

        public Builder stderrNoise(boolean value) {
            stderrNoise = value;
            return this;
        }

        /** See {@link TestkitOptions#journal()}; null for none. */
        public Builder journal(Path value) {
            journal = value;
            return this;
        }

        /** See {@link TestkitOptions#label()}; null for none. */
        public Builder label(String value) {
            label = value;
            return this;
        }

        /** See {@link TestkitOptions#conformance()}. */
        public Builder conformance(boolean value) {
            conformance = value;
            return this;
        }

        /** See {@link TestkitOptions#sequential()}. */
        public Builder sequential(boolean value) {
            sequential = value;
            return this;
        }

        /** See {@link TestkitOptions#stopReadingAfter()}; 0 for never. */
        public Builder stopReadingAfter(int value) {
            stopReadingAfter = value;
            return this;
        }

        /** See {@link TestkitOptions#floodNotifications()}; 0 for none. */
        public Builder floodNotifications(int value) {
            floodNotifications = value;
            return this;
        }

        /** See {@link TestkitOptions#floodBytes()}. */
        public Builder floodBytes(int value) {
            floodBytes = value;
            return this;
        }

        /** See {@link TestkitOptions#forkOnStart()}. */
        public Builder forkOnStart(boolean value) {
            forkOnStart = value;
            return this;
        }

        public TestkitOptions build() {
            return new TestkitOptions(toolsPageSize, extraTools, slowStart, hangInitialize, protocolVersion,
                    stderrNoise, journal, label, conformance, sequential, stopReadingAfter, floodNotifications,
                    floodBytes, forkOnStart);
        }
    }
}
