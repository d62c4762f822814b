package io.wharf.model;

import java.util.Optional;

/**
 * An ECS ARN, {@code arn:<partition>:ecs:<region>:<account>:<type>/<id>}, split into its parts.
 *
 * <p>Types used here: {@code cluster/<name>}, {@code task-definition/<family>:<revision>}, {@code
 * container-instance/<cluster>/<id>}.
 */
public record ResourceArn(String partition, String region, String account, String type, String id) {

  /** Parses an ECS ARN, or returns empty when the text is not one. */
  public static Optional<ResourceArn> parse(String text) {
    if (text == null || !text.startsWith("arn:")) {
      return Optional.empty();
    }
    String[] parts = text.split(":", 6);
    if (parts.length != 6 || !parts[2].equals("ecs")) {
      return Optional.empty();
    }
    String resource = parts[5];
    int slash = resource.indexOf('/');
    if (slash <= 0 || slash == resource.length() - 1) {
      return Optional.empty();
    }
    return Optional.of(
        new ResourceArn(
            parts[1],
            parts[3],
            parts[4],
            resource.substring(0, slash),
            resource.substring(slash + 1)));
  }

  /** Builds ARNs for one region and account. */
  public record Builder(String region, String account) {
    public String cluster(String name) {
      return "arn:aws:ecs:" + region + ":" + account + ":cluster/" + name;
    }

    public String taskDefinition(String family, int revision) {
      return "arn:aws:ecs:"
          + region
          + ":"
          + account
          + ":task-definition/"
          + family
          + ":"
          + revision;
    }

    /** A task, in the long ARN format: {@code task/<cluster>/<id>}. */
    public String task(String clusterName, String id) {
      return "arn:aws:ecs:" + region + ":" + account + ":task/" + clusterName + "/" + id;
    }

    /** A container of a task: {@code container/<cluster>/<task id>/<container id>}. */
    public String container(String clusterName, String taskId, String containerId) {
      return "arn:aws:ecs:"
          + region
          + ":"
          + account
          + ":container/"
          + clusterName
          + "/"
          + taskId
          + "/"
          + containerId;
    }

    public String containerInstance(String clusterName, String id) {
      return "arn:aws:ecs:"
          + region
          + ":"
          + account
          + ":container-instance/"
          + clusterName
          + "/"
          + id;
    }

    /** A service, in the long ARN format: {@code service/<cluster>/<name>}. */
    public String service(String clusterName, String name) {
      return prefix() + "service/" + clusterName + "/" + name;
    }

    /** A service deployment: {@code service-deployment/<cluster>/<service>/<number>}. */
    public String serviceDeployment(String clusterName, String service, String number) {
      return prefix() + "service-deployment/" + clusterName + "/" + service + "/" + number;
    }

    /** A service revision: {@code service-revision/<cluster>/<service>/<number>}. */
    public String serviceRevision(String clusterName, String service, String number) {
      return prefix() + "service-revision/" + clusterName + "/" + service + "/" + number;
    }

    private String prefix() {
      return "arn:aws:ecs:" + region + ":" + account + ":";
    }

    /** The ARN of the account root, the principal of account-wide defaults. */
    public String accountRoot() {
      return "arn:aws:iam::" + account + ":root";
    }
  }
}
