package org.serverhold.resolver.policy;

/** A changeset does not follow the engine's version: the caller must take a fresh snapshot. */
public final class VersionGapException extends IllegalStateException {
  private final long have;
  private final long got;

  public VersionGapException(long have, long got) {
    super("policy is at version " + have + ", changeset " + got + " does not follow it");
    this.have = have;
    this.got = got;
  }

  public long have() {
    return have;
  }

  public long got() {
    return got;
  }
}
