/**
 * The saturation suite of issue 11 ("never hang, never grow without bound, never leak"): stdio servers driven to
 * saturation, well-behaved and hostile (the testkit's {@code --sequential}, {@code --stop-reading-after},
 * {@code --flood-notifications}, {@code --fork-on-start} and its {@code garbage} tool), through the library
 * ({@link io.mcppool.it.saturation.PoolSaturationTest}) and through {@code mcp-pool serve}
 * ({@link io.mcppool.it.saturation.GatewaySaturationTest}).
 *
 * <p>Every scenario holds the same rules ({@link io.mcppool.it.saturation.Saturation}): each call answers
 * correctly or fails typed by its deadline plus 5 s; a healthy server beside the wedged one keeps answering and
 * its deadlines keep firing; {@code close()} returns within the pool's {@code shutdownGrace} (3 s) plus two stdio
 * stop steps (2 x 250 ms) plus 1 s, and SIGTERM ends the gateway within its drain plus the same plus 2 s; heap,
 * {@code mcp-pool-} threads, fds, child processes and orphans come back to the baseline; the flood scenarios log
 * at most 1000 events and 512 KiB (library) or 1 MiB of stderr (gateway). A hang shows as the bounded wait it
 * broke, with {@code @Timeout} (on a separate thread) as the last resort, and the teardown kills whatever a hung
 * pool left running.
 *
 * <p>Run it alone: {@code mvn -B -ntp -q -pl mcp-pool-it -am verify -Dtest='io.mcppool.it.saturation.*Test'
 * -Dsurefire.failIfNoSpecifiedTests=false} (the gateway tests need the runnable jar that {@code verify} packages);
 * the classes are tagged {@code saturation} for {@code -Dgroups} / {@code -DexcludedGroups}. Each scenario prints
 * its figures (storm outcomes, close time, log volume, a timeline) to the test's output file.
 */
package io.mcppool.it.saturation;
