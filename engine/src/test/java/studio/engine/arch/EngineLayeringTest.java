package studio.engine.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The engine knows nothing of JavaFX, SSH or DJL, nor of the modules built on it. */
@AnalyzeClasses(packages = "studio.engine", importOptions = ImportOption.DoNotIncludeTests.class)
class EngineLayeringTest {
    @ArchTest
    static final ArchRule noUiSshOrDjl = noClasses().that().resideInAPackage("studio.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.jfree..", "net.schmizz..",
                    "com.hierynomus..", "org.apache.sshd..", "ai.djl..")
            .because("the engine is a pure-Java library shared by the studio and the runner");

    @ArchTest
    static final ArchRule noUpwardDependencies = noClasses().that().resideInAPackage("studio.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("studio.app..", "studio.runner..");

    @ArchTest
    static final ArchRule costModelHasNoCli = noClasses().that().resideInAnyPackage("studio.engine.cost..", "studio.engine.profile..",
                    "studio.engine.plan..", "studio.engine.model..")
            .should().dependOnClassesThat().resideInAnyPackage("picocli..", "studio.engine.cli..");

    /** Packages form a tree of features, never a cycle (what the module edges alone do not show). */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("studio.engine.(**)").should().beFreeOfCycles();

    /**
     * The engine reads as its pipeline: io, model, profile, plan, cost, schedule, search, then what serves users
     * (estimates, input location, launching, the CLI). A layer uses only those before it.
     */
    @ArchTest
    static final ArchRule pipelineOrder = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("io").definedBy("studio.engine.io..")
            .layer("model").definedBy("studio.engine.model..")
            .layer("profile").definedBy("studio.engine.profile..")
            .layer("plan").definedBy("studio.engine.plan..")
            .layer("cost").definedBy("studio.engine.cost..")
            .layer("schedule").definedBy("studio.engine.schedule..")
            .layer("search").definedBy("studio.engine.search..")
            .layer("estimate").definedBy("studio.engine.estimate..")
            .layer("inputs").definedBy("studio.engine.inputs..")
            .layer("launch").definedBy("studio.engine.launch..")
            .layer("calibration").definedBy("studio.engine.calibration..")
            .layer("cli").definedBy("studio.engine.cli..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("launch").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("calibration").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("inputs").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("estimate").mayOnlyBeAccessedByLayers("inputs", "cli")
            .whereLayer("search").mayOnlyBeAccessedByLayers("inputs", "cli")
            .whereLayer("schedule").mayOnlyBeAccessedByLayers("search", "cli")
            .whereLayer("cost").mayOnlyBeAccessedByLayers("schedule", "search", "estimate", "inputs", "calibration", "cli")
            .whereLayer("plan").mayOnlyBeAccessedByLayers("cost", "schedule", "search", "estimate", "inputs", "launch", "cli")
            .whereLayer("profile").mayOnlyBeAccessedByLayers("cost", "schedule", "search", "estimate", "inputs", "cli")
            .whereLayer("model").mayOnlyBeAccessedByLayers("profile", "plan", "cost", "schedule", "search", "estimate", "inputs", "launch", "cli");

    /** The cost model computes; reading files is the profile layer's work. */
    @ArchTest
    static final ArchRule costReadsNoFiles = noClasses().that().resideInAnyPackage("studio.engine.cost..", "studio.engine.schedule..")
            .should().dependOnClassesThat().haveFullyQualifiedName("java.nio.file.Files")
            .orShould().callMethod(studio.engine.io.JsonFiles.class, "readObject", java.nio.file.Path.class);
}
