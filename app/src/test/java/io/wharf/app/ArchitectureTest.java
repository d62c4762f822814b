package io.wharf.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module arrows of shared/design.md, enforced: who may import whom. */
class ArchitectureTest {
  static JavaClasses wharf;

  @BeforeAll
  static void importClasses() {
    wharf =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.wharf");
  }

  @Test
  void theModelImportsNothingButTheJdk() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.model..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.wharf.model..", "java..")
        .check(wharf);
  }

  @Test
  void privateFilesImportOnlyTheJdk() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.files..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.wharf.files..", "java..")
        .check(wharf);
  }

  @Test
  void theStoreKnowsNothingOfEcs() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.wharf.model..", "io.wharf.controlplane..", "io.wharf.app..")
        .check(wharf);
  }

  @Test
  void theControlPlaneNeverImportsTheAppOrADockerDriver() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.wharf.controlplane..", "io.wharf.core..", "io.wharf.ecs..", "io.wharf.elb..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.wharf.app..", "io.wharf.runtime..", "io.wharf.agent..", "com.github.dockerjava..")
        .check(wharf);
  }

  @Test
  void theStateMachineKnowsNeitherTheWireNorTheDataPlane() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.core.state..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.wharf.core.api..",
            "io.wharf.controlplane..",
            "io.wharf.ecs..",
            "io.wharf.elb..",
            "io.wharf.haproxy..",
            "org.eclipse.jetty..")
        .check(wharf);
  }

  /** ELB's operations take and return records: the protocol layer alone reads and writes JSON. */
  @Test
  void elbKnowsNoJson() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.elb..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.fasterxml.jackson..")
        .check(wharf);
  }

  @Test
  void theHaproxyDriverKnowsNoOtherWharfModule() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.haproxy..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.wharf.model..",
            "io.wharf.controlplane..",
            "io.wharf.agent..",
            "io.wharf.app..",
            "io.wharf.store..",
            "io.wharf.runtime..")
        .check(wharf);
  }

  @Test
  void onlyTheDataPlaneDrivesHaproxy() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.wharf.haproxy..", "io.wharf.elb.balancing..", "io.wharf.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.wharf.haproxy..")
        .check(wharf);
  }

  @Test
  void onlyTheApiTouchesHttp() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.wharf.controlplane..", "io.wharf.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.eclipse.jetty..")
        .check(wharf);
  }

  @Test
  void theSchedulerIsPureAndImportsOnlyTheModel() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.scheduler..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.wharf.scheduler..", "io.wharf.model..", "java..")
        .check(wharf);
  }

  @Test
  void theAgentNeverImportsTheControlPlane() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.agent..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.wharf.controlplane..", "io.wharf.store..", "io.wharf.app..")
        .check(wharf);
  }

  @Test
  void theRuntimeDriverKnowsNoOtherWharfModule() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.runtime..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.wharf.model..",
            "io.wharf.controlplane..",
            "io.wharf.agent..",
            "io.wharf.app..",
            "io.wharf.store..")
        .check(wharf);
  }

  @Test
  void theCoreKnowsNoService() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.wharf.ecs..", "io.wharf.elb..", "io.wharf.controlplane..")
        .check(wharf);
  }

  /**
   * A service reaches another only through the small interface the other publishes: ECS uses ELB's
   * {@code targets} (target registration and health) and nothing else of it; ELB knows nothing of
   * ECS.
   */
  @Test
  void servicesMeetOnlyThroughWhatTheyPublish() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.ecs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.wharf.elb.api..", "io.wharf.elb.balancing..")
        .check(wharf);
    noClasses()
        .that()
        .resideInAPackage("io.wharf.elb..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.wharf.ecs..", "io.wharf.controlplane..")
        .check(wharf);
  }

  /** CloudWatch Logs knows no other service's internals (nor the HTTP front). */
  @Test
  void logsKnowsNoOtherService() {
    noClasses()
        .that()
        .resideInAPackage("io.wharf.logs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.wharf.ecs..", "io.wharf.elb..", "io.wharf.controlplane..", "io.wharf.haproxy..")
        .check(wharf);
    noClasses()
        .that()
        .resideInAnyPackage("io.wharf.ecs..", "io.wharf.elb..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.wharf.logs..")
        .check(wharf);
  }

  /**
   * Time comes from a {@link Clock} handed down from the composition root (the app), so that the
   * simulation can run the real control plane on virtual time; only the root and the Docker driver
   * read the wall clock.
   */
  @Test
  void onlyTheCompositionRootAndTheDockerDriverReadTheWallClock() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.wharf.app..", "io.wharf.runtime..", "io.wharf.bench..")
        .should()
        .callMethod(Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(LocalDateTime.class, "now")
        .orShould()
        .callMethod(OffsetDateTime.class, "now")
        .orShould()
        .callMethod(ZonedDateTime.class, "now")
        .orShould()
        .callMethod(Clock.class, "systemUTC")
        .orShould()
        .callMethod(Clock.class, "systemDefaultZone")
        .check(wharf);
  }

  /**
   * Where JSON is read and written: the protocol layer (requests and answers), storage (the state
   * machine's codec, the store), wire code (the agent and its gateway, the front, Docker's error
   * bodies, the CLI commands, the simulated agents, benchmarks), the log messages JSON filter
   * patterns look into, and ECS's API adapter, which binds ECS's own operations and its stored
   * documents. Operations and domain logic work on records.
   */
  private static final String[] JSON_PACKAGES = {
    "io.wharf.protocol..",
    "io.wharf.core.state..",
    "io.wharf.store..",
    "io.wharf.agent..",
    "io.wharf.ecs.agent..",
    "io.wharf.controlplane.front..",
    "io.wharf.logs.filter..", // log messages' own JSON, for CloudWatch's JSON filter patterns
    "io.wharf.runtime..",
    "io.wharf.app..",
    "io.wharf.simulation..",
    "io.wharf.bench..",
  };

  private static final Set<String> ECS_API_ADAPTER =
      Set.of(
          "io.wharf.ecs.api.Wire",
          "io.wharf.ecs.api.Typed",
          "io.wharf.ecs.api.TypedDocuments",
          "io.wharf.ecs.api.TaskDefinitionDocument",
          "io.wharf.ecs.api.IdentityDocument",
          "io.wharf.ecs.api.Operation",
          "io.wharf.ecs.api.EcsApi",
          "io.wharf.ecs.api.JoinOperations",
          "io.wharf.ecs.api.ContainerHealthReports");

  /**
   * Domain code that still reads JSON text its records carry (a task definition's container
   * definitions, a service's load balancers, an instance's version info) with Jackson trees: the
   * typed domain of issue 12 moves each off it, and then off this list (which only shrinks: see
   * {@link #theClassesStillOnJsonTreesAreExactlyThoseListed}).
   */
  static final List<String> STILL_ON_JSON_TREES =
      List.of(
          "io.wharf.ecs.api.TaskOperations",
          "io.wharf.ecs.taskdef.TaskDefinitionRules",
          "io.wharf.ecs.taskdef.PortMappings",
          "io.wharf.ecs.taskdef.NetworkMode",
          "io.wharf.ecs.launch.TaskShape",
          "io.wharf.ecs.launch.Launcher",
          "io.wharf.ecs.launch.InstanceViews",
          "io.wharf.ecs.service.Reconciler",
          "io.wharf.ecs.service.LoadBalancerBindings");

  private static boolean mayUseJson(JavaClass c) {
    String top = topLevelName(c);
    return ECS_API_ADAPTER.contains(top) || STILL_ON_JSON_TREES.contains(top);
  }

  private static String topLevelName(JavaClass c) {
    return c.getName().replaceFirst("\\$.*", "");
  }

  @Test
  void jacksonOnlyInProtocolStorageAndWireCode() {
    noClasses()
        .that()
        .resideOutsideOfPackages(JSON_PACKAGES)
        .and(
            DescribedPredicate.not(
                DescribedPredicate.describe(
                    "ECS's API adapter or listed as still on JSON trees",
                    ArchitectureTest::mayUseJson)))
        .should()
        .dependOnClassesThat()
        .resideInAPackage("com.fasterxml.jackson..")
        .check(wharf);
  }

  @Test
  void theClassesStillOnJsonTreesAreExactlyThoseListed() {
    for (String name : STILL_ON_JSON_TREES) {
      boolean usesJackson =
          wharf.stream()
              .filter(c -> topLevelName(c).equals(name))
              .flatMap(c -> c.getDirectDependenciesFromSelf().stream())
              .anyMatch(
                  d -> d.getTargetClass().getPackageName().startsWith("com.fasterxml.jackson"));
      assertThat(usesJackson).as(name + " no longer uses Jackson: take it off the list").isTrue();
    }
  }
}
