package io.wharf.model.elb;

/**
 * ELBv2 ARNs, in ELB's format:
 *
 * <pre>
 *  arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID
 *  arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID
 *  arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/LB-NAME/LB-ID/ID
 *  arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/app/LB-NAME/LB-ID/LISTENER-ID/ID
 * </pre>
 *
 * <p>Every ID is 16 lowercase hex digits.
 */
public final class ElbArn {
  private ElbArn() {}

  /** The ID that ends an ELB ARN (its last path segment). */
  public static String id(String arn) {
    return arn.substring(arn.lastIndexOf('/') + 1);
  }

  /** The resource type of an ELB ARN ({@code loadbalancer}, {@code targetgroup}, ...), or null. */
  public static String type(String arn) {
    if (arn == null) {
      return null;
    }
    String[] parts = arn.split(":", 6);
    if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("elasticloadbalancing")) {
      return null;
    }
    int slash = parts[5].indexOf('/');
    return slash <= 0 ? null : parts[5].substring(0, slash);
  }

  /** Builds ARNs for one region and account. */
  public record Builder(String region, String account) {
    private String prefix() {
      return "arn:aws:elasticloadbalancing:" + region + ":" + account + ":";
    }

    public String loadBalancer(String name, String id) {
      return prefix() + "loadbalancer/app/" + name + "/" + id;
    }

    public String targetGroup(String name, String id) {
      return prefix() + "targetgroup/" + name + "/" + id;
    }

    public String listener(LoadBalancer lb, String id) {
      return prefix() + "listener/app/" + lb.name() + "/" + lb.id() + "/" + id;
    }

    public String rule(LoadBalancer lb, String listenerArn, String id) {
      return prefix()
          + "listener-rule/app/"
          + lb.name()
          + "/"
          + lb.id()
          + "/"
          + ElbArn.id(listenerArn)
          + "/"
          + id;
    }
  }
}
