package io.mcppool.it.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code (issue 13): the API vocabulary depends on nothing in the engine, packages form no cycles,
 * nothing outside {@code internal} depends on it, and the gateway uses core's API alone.
 *
 * <p>The dependency rules the code does not meet yet are frozen ({@link FreezingArchRule}): today's violations are
 * recorded in {@code src/test/resources/archunit-store}, only a new one fails, and each one fixed leaves the store for
 * good. Issue 13 is done when the store is empty and the freezing goes.
 */
class ArchitectureTest {
    private static JavaClasses core;
    private static JavaClasses coreAndGateway;

    @BeforeAll
    static void importClasses() {
        ImportOption mainOnly = ImportOption.Predefined.DO_NOT_INCLUDE_TESTS;
        core = new ClassFileImporter().withImportOption(mainOnly)
                .withImportOption(location -> !location.contains("/io/mcppool/gateway/")
                        && !location.contains("/io/mcppool/testkit/") && !location.contains("/io/mcppool/bench/")
                        && !location.contains("/io/mcppool/it/"))
                .importPackages("io.mcppool");
        coreAndGateway = new ClassFileImporter().withImportOption(mainOnly)
                .withImportOption(location -> !location.contains("/io/mcppool/testkit/")
                        && !location.contains("/io/mcppool/bench/") && !location.contains("/io/mcppool/it/"))
                .importPackages("io.mcppool");
    }

    /** The package's name below io.mcppool ({@code root} for io.mcppool itself); null outside it. */
    private static String corePackage(JavaClass c) {
        String p = c.getPackageName();
        if (p.equals("io.mcppool")) {
            return "root";
        }
        return p.startsWith("io.mcppool.") ? p.substring("io.mcppool.".length()) : null;
    }

    @Test
    void theStatusVocabularyDependsOnNothingInTheEngine() {
        noClasses().that().resideInAPackage("io.mcppool.status..")
                .should().dependOnClassesThat().resideInAnyPackage("io.mcppool", "io.mcppool.internal..",
                        "io.mcppool.transport..", "io.mcppool.cache..", "io.mcppool.stats..", "io.mcppool.config..",
                        "io.mcppool.events..", "io.mcppool.metrics..", "io.mcppool.logging..", "io.mcppool.alerts..")
                .check(core);
    }

    /** Each of core's packages is a slice of its own ({@code root} for io.mcppool itself). */
    private static final SliceAssignment CORE_PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = corePackage(c);
            return p == null ? SliceIdentifier.ignore() : SliceIdentifier.of(p);
        }

        @Override
        public String getDescription() {
            return "core's packages";
        }
    };

    @Test
    void coresPackagesFormNoCycles() {
        slices().assignedFrom(CORE_PACKAGES).should().beFreeOfCycles().check(core);
    }

    @Test
    void nothingOutsideInternalDependsOnIt() {
        ArchRule rule = noClasses().that().resideOutsideOfPackage("io.mcppool.internal..")
                .should().dependOnClassesThat().resideInAPackage("io.mcppool.internal..");
        FreezingArchRule.freeze(rule).check(core);
    }

    @Test
    void theGatewayUsesCoresApiAlone() {
        ArchRule rule = noClasses().that().resideInAPackage("io.mcppool.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("io.mcppool.internal..", "io.mcppool.stats..");
        FreezingArchRule.freeze(rule).check(coreAndGateway);
    }
}
