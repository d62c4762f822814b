package io.wharf.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract the agent sees imports only the JDK, so no Docker type (nor the driver itself) leaks
 * into the agent. That the module knows no other Wharf module its pom already ensures: it depends
 * on none.
 */
class RuntimeArchitectureTest {
  static JavaClasses runtime;

  @BeforeAll
  static void importClasses() {
    runtime =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.wharf.runtime");
  }

  @Test
  void theContractImportsOnlyTheJdk() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.runtime")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.wharf.runtime", "java..")
        .check(runtime);
  }
}
