import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one {@code @FuzzTest} method on the JUnit platform in this JVM, for scripts/fuzz.sh. Jazzer fuzzes only
 * through its JUnit engine integration (JAZZER_FUZZ=1), and surefire would swallow libFuzzer's output, which goes
 * straight to the process's stderr: the statistics the script reports come from there.
 *
 * <p>Started in source-file mode: {@code java -cp <test class path> scripts/FuzzTestRunner.java CLASS METHOD}.
 * Exit code 0 when the fuzz test passed (no finding), 1 when it failed, 2 for bad arguments.
 */
public class FuzzTestRunner {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: FuzzTestRunner CLASS METHOD");
            System.exit(2);
        }
        Class<?> testClass = Class.forName(args[0]);
        Method method = Arrays.stream(testClass.getDeclaredMethods()).filter(m -> m.getName().equals(args[1]))
                .findFirst().orElse(null);
        if (method == null) {
            System.err.println("FuzzTestRunner: " + args[0] + " has no method " + args[1]);
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectMethod(testClass, method)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 30);
        out.flush();
        long found = summary.getTestsFoundCount();
        System.exit(found > 0 && summary.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
