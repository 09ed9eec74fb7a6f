package studio.app.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The studio builds on the engine only, never on the runner's internals or the engine's CLI. */
@AnalyzeClasses(packages = "studio.app", importOptions = ImportOption.DoNotIncludeTests.class)
class AppLayeringTest {
    @ArchTest
    static final ArchRule noRunnerOrCli = noClasses().that().resideInAPackage("studio.app..")
            .should().dependOnClassesThat().resideInAnyPackage("studio.runner..", "studio.engine.cli..", "ai.djl..");

    /** Packages form a tree of features, never a cycle (what the module edges alone do not show). */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("studio.app.(**)").should().beFreeOfCycles();
}
