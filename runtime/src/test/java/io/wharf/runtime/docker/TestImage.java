package io.wharf.runtime.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The image the Docker tests run, {@code wharf-test/busybox:latest}: the host's static busybox
 * imported by {@code scripts/test-image.sh}, so no test needs a registry. Built once per machine.
 */
final class TestImage {
  static final String NAME = "wharf-test/busybox:latest";

  private static boolean ready;

  private TestImage() {}

  /** Builds the image unless it is there already, and returns its name. */
  static synchronized String ensureBuilt() {
    if (ready) {
      return NAME;
    }
    Path script = findScript();
    try {
      Process process =
          new ProcessBuilder(script.toString(), NAME).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException(script + " failed:\n" + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the test image", e);
    }
    ready = true;
    return NAME;
  }

  /** scripts/test-image.sh of this checkout, found from the module's directory upwards. */
  private static Path findScript() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path script = dir.resolve("scripts/test-image.sh");
      if (Files.isExecutable(script)) {
        return script;
      }
    }
    throw new IllegalStateException(
        "scripts/test-image.sh not found above " + Path.of("").toAbsolutePath());
  }
}
