package io.wharf.model;

import java.util.Objects;

/**
 * An account setting for one principal. The account-wide default is the setting whose principal is
 * the account root.
 */
public record AccountSetting(String name, String value, String principalArn, long revision) {
  public AccountSetting {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(principalArn, "principalArn");
  }

  public AccountSetting withRevision(long newRevision) {
    return new AccountSetting(name, value, principalArn, newRevision);
  }
}
