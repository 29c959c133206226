package org.serverhold.registry.holder;

import org.serverhold.registry.failure.Violations;

/**
 * A registrant as a registrar sends it: its own handle and, for a new handle, the holder's
 * identity. {@code identity} is null when the request named an existing handle only.
 */
public record RegistrantInput(String handle, Identity identity, String email, String phone) {
  /** A registrar's handle: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
  public static String validHandle(Violations v, String field, String handle) {
    String h = handle == null ? "" : handle.strip();
    if (h.isEmpty()) {
      v.add(field, "is required");
    } else if (!h.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      v.add(field, "must be 1-64 letters, digits, '.', '_' or '-'");
    }
    return h;
  }

  /** Validates every field, recording violations under {@code field}. */
  public static RegistrantInput validate(Violations v, String field, String handle, IdentityType type, String number,
      String name, String email, String phone, boolean identityGiven) {
    String h = validHandle(v, field + ".handle", handle);
    Identity identity = identityGiven
        ? v.check(() -> IdentityRules.normalize(field + ".identity", type, number, name))
        : null;
    String e = v.text(field + ".email", email, false, 254);
    if (!e.isEmpty() && !e.matches("[^@\\s]{1,64}@[^@\\s]{1,190}")) {
      v.add(field + ".email", "is not an email address");
    }
    String p = v.text(field + ".phone", phone, false, 32);
    if (!p.isEmpty() && !p.matches("\\+?[0-9 .()-]{3,32}")) {
      v.add(field + ".phone", "is not a phone number");
    }
    return new RegistrantInput(h, identity, e, p);
  }
}
