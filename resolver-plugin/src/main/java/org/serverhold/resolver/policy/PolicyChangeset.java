package org.serverhold.resolver.policy;

import java.time.Instant;
import java.util.List;

/** A committed change of decisions; applied whole or not at all. {@code committed} may be null. */
public record PolicyChangeset(long version, List<PolicyChange> changes, Instant committed, String cause) {
  public PolicyChangeset {
    changes = List.copyOf(changes);
    cause = cause == null ? "" : cause;
  }
}
