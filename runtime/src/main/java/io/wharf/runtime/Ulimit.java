package io.wharf.runtime;

/**
 * A resource limit (ECS {@code ulimits}), e.g. {@code nofile} 1024/4096.
 *
 * @param name the limit's name as in {@code ulimit}: core, cpu, data, fsize, locks, memlock,
 *     msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack
 * @param soft the soft limit; at most {@code hard}
 * @param hard the hard limit; -1 means unlimited
 */
public record Ulimit(String name, long soft, long hard) {

  public Ulimit {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("ulimit name is required");
    }
    if (hard >= 0 && (soft < 0 || soft > hard)) {
      throw new IllegalArgumentException(
          "ulimit "
              + name
              + ": soft limit "
              + soft
              + " must be between 0 and the hard limit "
              + hard);
    }
  }
}
