package io.wharf.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Services at scale and on real Docker: how fast a service reaches its desired count and how fast a
 * rolling deployment completes, against ECS's published 500 tasks per minute per service and
 * against raw {@code docker run -d} measured in the same run.
 *
 * <pre>
 *  simulation ({@link SimulatedServices}, this JVM, virtual time; fresh simulation per run):
 *    service 0 → 1,000 and 0 → 10,000 tasks     against RunTask of the same tasks
 *    rolling deployment of 1,000 tasks          against as many idle steps
 *  real Docker ({@link DockerServices}: wharf server + wharf agent, child JVMs):
 *    service 0 → 20 tasks                       against 20 × the median docker run -d
 * </pre>
 *
 * <p>It prints figures and never fails on time; it fails only when Wharf answers wrongly (a task
 * missing, an instance oversubscribed, a rollout above maximumPercent) or not at all. Progress goes
 * to stderr, the report (Markdown) to stdout. Settings: {@link ServiceSettings}.
 */
public final class ServiceBench {
  private final ServiceSettings settings;
  private final long began = System.nanoTime();

  private ServiceBench(ServiceSettings settings) {
    this.settings = settings;
  }

  public static void main(String[] args) throws Exception {
    // The report's numbers read the same on every machine: 10,000.5, not 10.000,5.
    Locale.setDefault(Locale.ROOT);
    ServiceSettings settings = ServiceSettings.fromSystemProperties();
    Path root = Files.createTempDirectory("wharf-service-bench");
    int status = 0;
    try {
      System.out.print(new ServiceBench(settings).run(root));
      System.out.flush();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      TempDirs.delete(root);
    }
    // Exit explicitly: not every thread the control planes leave behind is a daemon.
    System.exit(status);
  }

  private String run(Path root) throws Exception {
    double loadBefore = Machine.loadAverage();
    progress("machine: " + Machine.describe());
    SimulatedServices simulated = null;
    if (settings.runs(ServiceSettings.SIMULATION)) {
      simulated = new SimulatedServices(settings, this::progress);
      simulated.run();
    }
    DockerServices docker = null;
    String dockerReport = null;
    if (settings.runs(ServiceSettings.DOCKER)) {
      docker = new DockerServices(settings, root, this::progress);
      // Ctrl-C must not leave containers behind either.
      Thread hook = new Thread(docker::close, "wharf-bench-cleanup");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        docker.run();
        dockerReport = docker.report();
      } finally {
        docker.close();
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }

    StringBuilder out = new StringBuilder();
    out.append("\n## Wharf service benchmark\n\n");
    out.append("- Machine: ").append(Machine.describe()).append('\n');
    out.append(
        "- Load average (1 min): %.2f at start, %.2f at end (the machine is shared: compare medians and ratios)\n"
            .formatted(loadBefore, Machine.loadAverage()));
    out.append(
        "- Bench JVM: max heap %s MiB\n"
            .formatted(ProcessMemory.mib(Runtime.getRuntime().maxMemory())));
    out.append("- Run took %.0f s\n".formatted((System.nanoTime() - began) / 1e9));
    if (simulated != null) {
      out.append(simulated.report());
    }
    if (dockerReport != null) {
      out.append(dockerReport);
    }
    MarkdownTable targets = new MarkdownTable("Target", "Measured (medians)", "Met");
    if (simulated != null) {
      simulated.againstTarget().forEach(targets::row);
    }
    if (docker != null) {
      targets.row(docker.againstTarget());
    }
    out.append("\n### Against the targets\n\n").append(targets.render());
    return out.toString();
  }

  private void progress(String message) {
    System.err.printf(
        Locale.ROOT, "bench [%6.1fs] %s%n", (System.nanoTime() - began) / 1e9, message);
  }
}
