package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.Identity;

/**
 * Blacklists a holder by hand (a bureau's decision outside a takedown). The holder is created if
 * it never registered anything, so it is refused at its first attempt; its live domains get a
 * HOLDER_BLACKLISTED hold in the same transaction (no live domain of a blacklisted holder).
 *
 * <p>Errors: INVALID_ARGUMENT (validated before this runs).
 */
public final class AddToBlacklistFlow {
  /** A validated request. */
  public record Command(Identity identity, String reason, String caseNumber, String authority, Instant expires) {}

  private final HolderStore holders;
  private final BlacklistEntries entries;
  private final HolderStanding standing;
  private final AuditLog audit;
  private final Clock clock;

  public AddToBlacklistFlow(HolderStore holders, BlacklistEntries entries, HolderStanding standing, AuditLog audit,
      Clock clock) {
    this.holders = holders;
    this.entries = entries;
    this.standing = standing;
    this.audit = audit;
    this.clock = clock;
  }

  public BlacklistEntry run(DSLContext tx, Principal actor, String requestId, Command c) {
    Instant now = clock.instant();
    Holder holder = holders.findOrCreate(tx, c.identity());
    holders.lockExclusive(tx, holder.id());
    long id = entries.insert(tx, holder.id(), c.reason(), c.caseNumber(), c.authority(), BlacklistEntry.Source.MANUAL,
        c.caseNumber(), false, actor.name(), now, c.expires());
    int held = standing.reconcile(tx, holder.id(), "case " + c.caseNumber(), "blacklist " + holder.publicId(), now);
    audit.append(tx, new AuditEntry(actor, requestId, "blacklist.add", "holder", holder.publicId(), c.authority(),
        null, Json.of(Map.of("entry", id, "identity", holder.maskedNumber(), "reason", c.reason(),
            "case_number", c.caseNumber(), "expires", String.valueOf(c.expires()), "domains_held", held))));
    return entries.list(tx, BLACKLIST_ENTRY.ID.eq(id), 1).getFirst();
  }
}
