package io.mcppool.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Makes spawned stdio servers start about twice as fast with an application class-data-sharing
 * (AppCDS) archive: most of a testkit server's start-up is loading Jackson's classes, which an
 * archive maps in ready-made.
 *
 * <p>The archive is built once per class path and JVM by a training run of the server
 * ({@code -XX:ArchiveClassesAtExit}) into a temporary file that is then moved into place
 * atomically, so concurrent test JVMs never see half an archive. CDS archives only classes from
 * jars, so class directories (a build's {@code target/classes}) are first packed into jars, cached
 * by their content. Everything lives in a per-user directory under {@code java.io.tmpdir} that only
 * its owner may write: a jar or archive planted by someone else would run in our child JVM.
 *
 * <p>Anything that goes wrong means no archive, never a failed command. {@code -Dmcppool.testkit.cds=false}
 * turns it off.
 */
final class FastStart {
    /** What the child gets: its class path and any extra JVM flags. */
    record Launch(String classPath, List<String> jvmFlags) {
    }

    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KEEP_FILES = Duration.ofDays(3);
    private static final String USED_SUFFIX = ".used";
    private static final Map<String, Launch> CACHE = new ConcurrentHashMap<>();
    private static final ReentrantLock BUILD_LOCK = new ReentrantLock();

    private FastStart() {
    }

    /** The launch for {@code classPath} with this {@code java}: with an archive when one can be had. */
    static Launch launch(String java, List<String> baseFlags, List<String> classPath) {
        String plain = String.join(File.pathSeparator, classPath);
        if (!Boolean.parseBoolean(System.getProperty("mcppool.testkit.cds", "true"))) {
            return new Launch(plain, List.of());
        }
        String key = java + '\n' + plain;
        Launch cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        BUILD_LOCK.lock(); // one training run per JVM at a time: they are CPU-heavy and would race
        try {
            cached = CACHE.get(key);
            if (cached == null) {
                cached = build(java, baseFlags, classPath, plain);
                CACHE.put(key, cached);
            }
            return cached;
        } finally {
            BUILD_LOCK.unlock();
        }
    }

    private static Launch build(String java, List<String> baseFlags, List<String> classPath, String plain) {
        try {
            Path dir = privateDirectory();
            if (dir == null) {
                return new Launch(plain, List.of());
            }
            removeStale(dir);
            List<String> jars = new ArrayList<>();
            for (String entry : classPath) {
                Path p = Path.of(entry);
                jars.add(Files.isDirectory(p) ? jarOf(p, dir).toString() : entry);
            }
            String jarPath = String.join(File.pathSeparator, jars);
            Path archive = dir.resolve("server-" + archiveKey(java, jars) + ".jsa");
            if (!Files.isRegularFile(archive) && !train(java, baseFlags, jarPath, archive)) {
                return new Launch(jarPath, List.of());
            }
            markUsed(archive);
            return new Launch(jarPath, List.of("-XX:SharedArchiveFile=" + archive));
        } catch (IOException | RuntimeException e) {
            System.err.println("testkit: no class-data-sharing archive (" + e + "); servers start slower");
            return new Launch(plain, List.of());
        }
    }

    /** Runs a server once through a short session, writing the archive at its exit. */
    private static boolean train(String java, List<String> baseFlags, String classPath, Path archive)
            throws IOException {
        Path partial = Files.createTempFile(archive.getParent(), "training-", ".jsa.tmp");
        Files.delete(partial); // the JVM creates it; an empty file would be read as a broken archive
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(baseFlags);
        cmd.add("-XX:ArchiveClassesAtExit=" + partial);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(TestkitServer.class.getName());
        cmd.add("--stdio");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(TRAINING_SESSION.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the server died early; its exit code says the rest
        }
        try {
            if (!p.waitFor(TRAINING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(partial) || Files.size(partial) == 0) {
                return false;
            }
            moveAtomically(partial, archive);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return false;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    // The requests a typical test makes, so their classes end up in the archive.
    private static final String TRAINING_SESSION = String.join("\n",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"training\",\"version\":\"1\"}}}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2.5}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"sleep\",\"arguments\":{\"ms\":1},"
                    + "\"_meta\":{\"progressToken\":1}}}",
            "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":5}}",
            "") + "\n";

    /** A jar with the directory's files, named by a digest of their names, sizes and times. */
    private static Path jarOf(Path directory, Path cacheDir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        MessageDigest digest = sha256();
        digest.update(directory.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        for (Path f : files) {
            String rel = directory.relativize(f).toString();
            digest.update((rel + '\0' + Files.size(f) + '\0' + Files.getLastModifiedTime(f).toMillis() + '\n')
                    .getBytes(StandardCharsets.UTF_8));
        }
        Path jar = cacheDir.resolve("classes-" + hex(digest) + ".jar");
        if (Files.isRegularFile(jar)) {
            markUsed(jar);
            return jar;
        }
        Path partial = Files.createTempFile(cacheDir, "classes-", ".jar.tmp");
        try {
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(partial))) {
                for (Path f : files) {
                    JarEntry e = new JarEntry(directory.relativize(f).toString().replace(File.separatorChar, '/'));
                    e.setLastModifiedTime(Files.getLastModifiedTime(f));
                    out.putNextEntry(e);
                    try (InputStream in = Files.newInputStream(f)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            moveAtomically(partial, jar);
            markUsed(jar);
        } finally {
            Files.deleteIfExists(partial);
        }
        return jar;
    }

    private static String archiveKey(String java, List<String> jars) throws IOException {
        MessageDigest digest = sha256();
        digest.update((java + '\n' + System.getProperty("java.vm.version") + '\n').getBytes(StandardCharsets.UTF_8));
        for (String j : jars) {
            Path p = Path.of(j);
            digest.update((j + '\0' + Files.size(p) + '\0' + Files.getLastModifiedTime(p).toMillis() + '\n')
                    .getBytes(StandardCharsets.UTF_8));
        }
        return hex(digest);
    }

    /** {@code <tmp>/mcp-pool-testkit-<user>}, created owner-only; null when it is not safely ours. */
    private static Path privateDirectory() throws IOException {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mcp-pool-testkit-" + user);
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        try {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // made earlier (by us, we check below)
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir)) {
            return null;
        }
        if (posix) {
            Path probe = Files.createTempFile(dir, "owner-", ".tmp");
            try {
                boolean mine = Files.getOwner(dir).equals(Files.getOwner(probe));
                boolean closed = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)).endsWith("------");
                return mine && closed ? dir : null;
            } finally {
                Files.deleteIfExists(probe);
            }
        }
        return dir;
    }

    /**
     * Deletes jars and archives nobody used for a while, so every rebuilt class directory does not
     * leave a jar and a few megabytes of archive behind for good.
     */
    private static void removeStale(Path dir) {
        long cutoff = System.currentTimeMillis() - KEEP_FILES.toMillis();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(USED_SUFFIX)) {
                    continue;
                }
                try {
                    Path used = f.resolveSibling(name + USED_SUFFIX);
                    Path clock = Files.exists(used) ? used : f;
                    if (Files.getLastModifiedTime(clock).toMillis() < cutoff) {
                        Files.deleteIfExists(f);
                        Files.deleteIfExists(used);
                    }
                } catch (IOException e) {
                    // another JVM may be cleaning up too
                }
            }
        } catch (IOException e) {
            // best effort
        }
    }

    /**
     * Records a use in a separate marker file: touching the jar itself would change the time CDS
     * checks it by, and invalidate the archive built against it.
     */
    private static void markUsed(Path p) throws IOException {
        Path used = p.resolveSibling(p.getFileName() + USED_SUFFIX);
        if (!Files.exists(used)) {
            Files.createFile(used);
        } else {
            Files.setLastModifiedTime(used, FileTime.fromMillis(System.currentTimeMillis()));
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest(), 0, 12);
    }
}
