package org.serverhold.registry.domain;

import java.time.Instant;
import java.util.List;
import org.serverhold.registry.name.DomainName;

/** A registration as clients see it, with everything that keeps it from resolving. */
public record RegisteredDomain(long id, DomainName name, String zone, String registrarId, String registrantHandle,
    long holderId, DomainState state, List<Hold> holds, String filingNumber, Instant created, Instant expires) {
  public RegisteredDomain {
    holds = List.copyOf(holds);
  }

  /** Registered, active, no hold (NOT_FILED included in holds), i.e. the policy says ALLOW. */
  public boolean resolvable() {
    return state == DomainState.ACTIVE && holds.isEmpty();
  }
}
