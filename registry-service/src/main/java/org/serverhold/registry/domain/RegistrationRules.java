package org.serverhold.registry.domain;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The registration decision, free of storage and wire: a name can be registered for a holder when
 * it sits exactly one label below a managed zone, is free, is not flagged, and the holder is not
 * blacklisted (whichever registrar or account asks). Holds that will apply once registered are
 * reported beside the decision.
 */
public final class RegistrationRules {
  /** The decision and what will keep the name from resolving once registered. */
  public record Decision(List<RefusalReason> refusals, Set<HoldReason> holdsOnCreate) {
    public boolean allowed() {
      return refusals.isEmpty();
    }
  }

  public Decision decide(RegistrationFacts facts) {
    List<RefusalReason> refusals = new ArrayList<>();
    if (!facts.zoneManaged()) {
      refusals.add(RefusalReason.ZONE_NOT_MANAGED);
    } else if (!facts.registrable()) {
      refusals.add(RefusalReason.NOT_REGISTRABLE);
    }
    if (facts.taken()) {
      refusals.add(RefusalReason.DOMAIN_TAKEN);
    }
    if (facts.flagged()) {
      refusals.add(RefusalReason.DOMAIN_FLAGGED);
    }
    if (facts.holderBlacklisted()) {
      refusals.add(RefusalReason.HOLDER_BLACKLISTED);
    }
    Set<HoldReason> holds = EnumSet.noneOf(HoldReason.class);
    if (!facts.holderVerified()) {
      holds.add(HoldReason.IDENTITY_UNVERIFIED);
    }
    if (!facts.filed()) {
      holds.add(HoldReason.NOT_FILED);
    }
    return new Decision(List.copyOf(refusals), holds);
  }
}
