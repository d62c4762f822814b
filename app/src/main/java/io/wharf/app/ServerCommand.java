package io.wharf.app;

import io.wharf.controlplane.ControlPlane;
import io.wharf.core.auth.AdminCredentials;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code wharf server}: the control plane alone. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Run the Wharf control plane.")
final class ServerCommand implements Callable<Integer> {
  @Mixin ServerOptions options;

  @Override
  public Integer call() throws Exception {
    ServerOptions.Started started = options.startOrExplain();
    if (started == null) {
      return 2;
    }
    ControlPlane plane = started.plane();
    AdminCredentials admin = started.admin();
    String endpoint = plane.endpoint();
    System.out.print(
        "Wharf control plane is running at "
            + endpoint
            + "\n"
            + options.howToUse(admin, endpoint)
            + "  aws --endpoint-url "
            + endpoint
            + " ecs create-cluster --cluster-name demo\n");
    System.out.flush();
    awaitShutdown(plane::close);
    return 0;
  }

  /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), then runs {@code stop}. */
  static void awaitShutdown(Stopper stop) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stop.stop();
                  } catch (Exception e) {
                    System.err.println("wharf: error while stopping: " + e.getMessage());
                  }
                  stopped.countDown();
                }));
    stopped.await();
  }

  @FunctionalInterface
  interface Stopper {
    void stop() throws Exception;
  }
}
