package io.wharf.logs.api;

import java.util.Optional;

/** CloudWatch Logs' ARNs in this server's region and account. */
record LogArns(String region, String accountId) {
  /** {@code arn:aws:logs:<region>:<account>:log-group:<name>}, as {@code logGroupArn} is. */
  String group(String name) {
    return "arn:aws:logs:" + region + ":" + accountId + ":log-group:" + name;
  }

  String stream(String group, String stream) {
    return group(group) + ":log-stream:" + stream;
  }

  /**
   * The log group an ARN names (with or without CloudWatch's trailing {@code :*}), if it is a log
   * group ARN of this region and account.
   */
  Optional<String> groupName(String arn) {
    String prefix = group("");
    if (!arn.startsWith(prefix)) {
      return Optional.empty();
    }
    String name = arn.substring(prefix.length());
    if (name.endsWith(":*")) {
      name = name.substring(0, name.length() - 2);
    }
    return name.isEmpty() || name.contains(":") ? Optional.empty() : Optional.of(name);
  }

  /** A group given by name or by ARN, as logGroupIdentifier is. */
  String identifier(String nameOrArn) {
    return nameOrArn.startsWith("arn:") ? groupName(nameOrArn).orElse(nameOrArn) : nameOrArn;
  }
}
