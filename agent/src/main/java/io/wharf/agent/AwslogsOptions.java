package io.wharf.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A container's {@code logConfiguration} with {@code logDriver: awslogs}, as Docker's awslogs
 * driver reads its options (ECS passes them to it unchanged).
 *
 * @param group {@code awslogs-group}
 * @param streamPrefix {@code awslogs-stream-prefix}, or null
 * @param createGroup {@code awslogs-create-group}
 * @param mode {@code mode}; ECS's default since 25 June 2025 is non-blocking (the account setting
 *     {@code defaultLogDriverMode}, "Default log driver mode" in the ECS developer guide: "to
 *     prioritize task availability over logging"); Wharf follows today's ECS
 * @param maxBufferBytes {@code max-buffer-size} in bytes (non-blocking mode's buffer)
 * @param newEventPattern the pattern a line matching which starts a new event: {@code
 *     awslogs-multiline-pattern} as given, or {@code awslogs-datetime-format} turned into a pattern
 *     anchored at the line's start; null when neither is set (every line is an event)
 */
record AwslogsOptions(
    String group,
    String streamPrefix,
    boolean createGroup,
    Mode mode,
    long maxBufferBytes,
    Pattern newEventPattern) {

  enum Mode {
    BLOCKING,
    NON_BLOCKING
  }

  /** Docker's default {@code max-buffer-size} ("1m"). */
  static final long DEFAULT_MAX_BUFFER_BYTES = 1 << 20;

  /** The options of a container definition, or empty when it does not log with awslogs. */
  static Optional<AwslogsOptions> of(JsonNode containerDefinition) {
    JsonNode config = containerDefinition.path("logConfiguration");
    if (!"awslogs".equals(config.path("logDriver").asText())) {
      return Optional.empty();
    }
    JsonNode options = config.path("options");
    String group = text(options, "awslogs-group");
    if (group == null) {
      throw new IllegalArgumentException("awslogs-group is a required log option");
    }
    String multiline = text(options, "awslogs-multiline-pattern");
    String datetime = text(options, "awslogs-datetime-format");
    if (multiline != null && datetime != null) {
      // Docker's driver refuses the pair with these words.
      throw new IllegalArgumentException(
          "you cannot configure log opt 'awslogs-datetime-format' and"
              + " 'awslogs-multiline-pattern' at the same time");
    }
    Pattern pattern;
    try {
      pattern =
          multiline != null
              ? Pattern.compile(multiline)
              : datetime != null ? Pattern.compile(StrftimePattern.toRegex(datetime)) : null;
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          "awslogs multiline pattern does not compile: " + e.getDescription());
    }
    String mode = text(options, "mode");
    Mode parsedMode;
    if (mode == null || mode.equals("non-blocking")) {
      parsedMode = Mode.NON_BLOCKING;
    } else if (mode.equals("blocking")) {
      parsedMode = Mode.BLOCKING;
    } else {
      throw new IllegalArgumentException(
          "logger: logging mode not supported: " + mode + " (blocking or non-blocking)");
    }
    String buffer = text(options, "max-buffer-size");
    return Optional.of(
        new AwslogsOptions(
            group,
            text(options, "awslogs-stream-prefix"),
            Boolean.parseBoolean(text(options, "awslogs-create-group")),
            parsedMode,
            buffer == null ? DEFAULT_MAX_BUFFER_BYTES : bytes(buffer),
            pattern));
  }

  /** The stream ECS names: {@code prefix/container-name/task-id}, or the container's id. */
  String streamName(String containerName, String taskId, String containerId) {
    return streamPrefix == null ? containerId : streamPrefix + "/" + containerName + "/" + taskId;
  }

  /**
   * A size in Docker's syntax ({@code units.RAMInBytes}: a number, then optionally {@code b},
   * {@code k}, {@code m}, {@code g}, {@code t}, {@code p}, with or without a trailing {@code b} or
   * {@code ib}, powers of 1024, case-insensitive).
   */
  static long bytes(String size) {
    java.util.regex.Matcher m =
        Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(i?b)?")
            .matcher(size.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid size: '" + size + "'");
    }
    double number = Double.parseDouble(m.group(1));
    int power = "kmgtp".indexOf(m.group(2)) + 1;
    long value = (long) (number * Math.pow(1024, m.group(2).isEmpty() ? 0 : power));
    if (value <= 0) {
      throw new IllegalArgumentException("max-buffer-size must be greater than 0: " + size);
    }
    return value;
  }

  private static String text(JsonNode options, String name) {
    JsonNode v = options.get(name);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }
}
