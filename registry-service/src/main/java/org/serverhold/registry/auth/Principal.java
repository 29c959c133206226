package org.serverhold.registry.auth;

/**
 * Who is calling: the credential's principal name, its role, and for a registrar the registrar it
 * acts for. {@code name} is what audit events record as the actor.
 */
public record Principal(String name, Role role, String registrarId, long credentialId) {
  public static Principal system(String what) {
    return new Principal("system:" + what, Role.ADMIN, null, 0);
  }

  /** Only a regulator sees identity numbers in full (takedown reports, filings). */
  public boolean isRegulator() {
    return role == Role.REGULATOR;
  }
}
