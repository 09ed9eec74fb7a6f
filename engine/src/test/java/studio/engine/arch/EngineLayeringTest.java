package studio.engine.arch;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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
}
