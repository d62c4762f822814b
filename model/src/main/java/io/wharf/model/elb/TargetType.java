package io.wharf.model.elb;

/** What a target id names. */
public enum TargetType {
  /** A container instance, by its EC2-style instance id; traffic goes to the instance's address. */
  INSTANCE("instance"),
  /** An IPv4 address. */
  IP("ip");

  private final String wireName;

  TargetType(String wireName) {
    this.wireName = wireName;
  }

  /** The name in the ELB API: {@code instance}, {@code ip}. */
  public String wireName() {
    return wireName;
  }

  /** The type with this API name, or null. */
  public static TargetType ofWireName(String name) {
    for (TargetType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
