package io.mcppool.internal.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A stdio server and everything it starts, as one unit to end. On Linux each server is started through
 * {@code setsid}, so it leads a session of its own and every process it forks stays in that session, even
 * after the server exits and its children are re-parented (which is what made them invisible to
 * {@link ProcessHandle#descendants()}). Ending the server signals every member of the session, found in
 * {@code /proc}. A process that calls {@code setsid} itself leaves the session and is out of reach; so is
 * everything where {@code setsid} or {@code /proc} is missing, where the server's descendants at the time
 * of shutdown are signalled instead.
 */
final class ProcessTree {
    private static final Path PROC = Path.of("/proc");
    private static final Optional<String> SETSID = findSetsid();

    private final long sessionId;
    private final ProcessHandle leader;
    private final boolean ownSession;

    private ProcessTree(ProcessHandle leader, boolean ownSession) {
        this.leader = leader;
        this.sessionId = leader.pid();
        this.ownSession = ownSession;
    }

    /** {@code command} run as the leader of a new session where that is possible; else unchanged. */
    static List<String> inOwnSession(List<String> command) {
        if (SETSID.isEmpty()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(command.size() + 1);
        wrapped.add(SETSID.get());
        wrapped.addAll(command);
        return wrapped;
    }

    /** Whether {@link #inOwnSession} wraps commands (Linux with setsid and /proc). */
    static boolean groupsProcesses() {
        return SETSID.isPresent();
    }

    /** The tree of a process started from {@link #inOwnSession}'s command line. */
    static ProcessTree of(Process process) {
        return new ProcessTree(process.toHandle(), SETSID.isPresent());
    }

    long pid() {
        return leader.pid();
    }

    /**
     * Every live process of the tree other than the leader: the members of its session, or where there is
     * none, the leader's descendants now.
     */
    List<ProcessHandle> others() {
        if (!ownSession) {
            return leader.descendants().filter(ProcessHandle::isAlive).toList();
        }
        List<ProcessHandle> members = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            entries.forEach(dir -> {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    long pid = Long.parseLong(name);
                    if (pid != sessionId && sessionOf(dir) == sessionId) {
                        ProcessHandle.of(pid).ifPresent(members::add);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            return leader.descendants().filter(ProcessHandle::isAlive).toList();
        }
        return members;
    }

    /** The session id in {@code /proc/<pid>/stat}, or -1 when the process is gone. */
    private static long sessionOf(Path dir) {
        try {
            String stat = Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII);
            // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses, so parse from the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 5);
            return Long.parseLong(f[3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** SIGKILL to the leader and every other process of the tree, without waiting. */
    void kill() {
        leader.destroyForcibly();
        signalOthers(true);
    }

    /** Waits up to {@code nanos} for the leader to be gone. */
    void awaitLeader(long nanos) {
        try {
            leader.onExit().get(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // gone or not, the caller has given it all the time it had
        }
    }

    /** Sends SIGTERM ({@code force} false) or SIGKILL to every process of the tree but the leader. */
    int signalOthers(boolean force) {
        int n = 0;
        for (ProcessHandle p : others()) {
            if (force ? p.destroyForcibly() : p.destroy()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Finds {@code command} the way {@code execvp} will, so a missing or non-executable program is reported
     * at start as before (through {@code setsid} it would otherwise only show as exit code 127).
     */
    static Optional<String> missingProgram(String command, Map<String, String> environment, Optional<Path> cwd) {
        if (SETSID.isEmpty()) {
            return Optional.empty(); // ProcessBuilder reports it itself
        }
        if (command.contains("/")) {
            Path p = Path.of(command);
            if (!p.isAbsolute() && cwd.isPresent()) {
                p = cwd.get().resolve(p);
            }
            return Files.isExecutable(p) && !Files.isDirectory(p) ? Optional.empty()
                    : Optional.of(command + ": no such executable file");
        }
        String path = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.empty();
            }
        }
        return Optional.of(command + ": not found on PATH");
    }

    private static Optional<String> findSetsid() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                || !Files.isReadable(PROC.resolve("self/stat"))) {
            return Optional.empty();
        }
        for (String candidate : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
