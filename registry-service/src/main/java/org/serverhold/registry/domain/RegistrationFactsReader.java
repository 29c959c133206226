package org.serverhold.registry.domain;

import java.time.Instant;
import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.filing.FilingStore;
import org.serverhold.registry.flag.FlagStore;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.name.ManagedZones;

/** Gathers what {@link RegistrationRules} needs about a name and a holder, in the caller's transaction. */
public final class RegistrationFactsReader {
  private final ManagedZones zones;
  private final DomainStore domains;
  private final FlagStore flags;
  private final BlacklistStore blacklist;
  private final FilingStore filings;

  public RegistrationFactsReader(ManagedZones zones, DomainStore domains, FlagStore flags, BlacklistStore blacklist,
      FilingStore filings) {
    this.zones = zones;
    this.domains = domains;
    this.flags = flags;
    this.blacklist = blacklist;
    this.filings = filings;
  }

  /**
   * @param holder the holder, when known (a brand-new identity is blacklisted nowhere)
   * @param ignoreTakenBy a domain id that does not count as taking the name (the one being transferred)
   */
  public RegistrationFacts read(DSLContext tx, DomainName name, Optional<Holder> holder, boolean verified,
      long ignoreTakenBy, Instant now) {
    Optional<String> zone = zones.zoneOf(name.ascii());
    boolean registrable = zone.isPresent() && ManagedZones.isRegistrableUnder(name.ascii(), zone.get());
    boolean taken = domains.active(tx, name.ascii()).filter(d -> d.getId() != ignoreTakenBy).isPresent();
    boolean flagged = flags.isFlagged(tx, name.ascii(), now);
    boolean blacklisted = holder.isPresent() && blacklist.isBlacklisted(tx, holder.get().id(), now);
    boolean filed = filings.activeFilingNumberFor(tx, name.ascii()).isPresent();
    return new RegistrationFacts(zone.isPresent(), registrable, taken, flagged, blacklisted, verified, filed);
  }

  /**
   * As {@link #read}, and when the holder is not known here, whether entries imported from peer
   * registries already refuse {@code identity} (federation "shadow" entries).
   */
  public RegistrationFacts read(DSLContext tx, DomainName name, Optional<Holder> holder,
      org.serverhold.registry.holder.Identity identity, boolean verified, long ignoreTakenBy, Instant now) {
    RegistrationFacts f = read(tx, name, holder, verified, ignoreTakenBy, now);
    if (holder.isEmpty() && identity != null && !blacklist.shadowSources(tx, identity, now).isEmpty()) {
      return new RegistrationFacts(f.zoneManaged(), f.registrable(), f.taken(), f.flagged(), true, f.holderVerified(),
          f.filed());
    }
    return f;
  }

  /** Where the entries in force against a holder come from ("local", or peer registry ids), for error details. */
  public java.util.List<String> blacklistSources(DSLContext tx, long holderId, Instant now) {
    return blacklist.sources(tx, holderId, now);
  }

  public Optional<String> zoneOf(DomainName name) {
    return zones.zoneOf(name.ascii());
  }
}
