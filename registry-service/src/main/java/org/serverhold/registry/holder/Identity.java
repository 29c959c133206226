package org.serverhold.registry.holder;

/**
 * A real-world identity with its number normalized. {@link #toString()} masks the number so that
 * an identity logged or put into an error message by mistake does not leak it.
 */
public record Identity(IdentityType type, String number, String name) {
  public String masked() {
    return Masking.mask(number);
  }

  @Override
  public String toString() {
    return "Identity[" + type + " " + masked() + " " + name + "]";
  }
}
