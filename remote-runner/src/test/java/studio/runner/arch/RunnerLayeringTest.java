package studio.runner.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The runner is headless: no JavaFX and nothing of the studio. */
@AnalyzeClasses(packages = "studio.runner", importOptions = ImportOption.DoNotIncludeTests.class)
class RunnerLayeringTest {
    @ArchTest
    static final ArchRule headless = noClasses().that().resideInAPackage("studio.runner..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.jfree..", "studio.app..");

    /** Packages form a tree of features, never a cycle (what the module edges alone do not show). */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("studio.runner.(**)").should().beFreeOfCycles();
}
