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
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.schema.enums.BlacklistEntrySource;

/**
 * Lifts a holder's manual blacklist entries. Entries placed by a takedown are lifted with that
 * takedown, permanent ones only by an ADMIN; if any entry remains in force the holder stays
 * blacklisted and its holds stay, which the response says.
 *
 * <p>Errors: NOT_FOUND (HOLDER_NOT_FOUND, NOT_BLACKLISTED); FAILED_PRECONDITION (ENTRY_PERMANENT)
 * when only permanent entries would be lifted by a non-admin.
 */
public final class RemoveFromBlacklistFlow {
  /** How many entries were lifted, and whether others keep the holder blacklisted. */
  public record Outcome(int lifted, boolean stillBlacklisted) {}

  private final HolderStore holders;
  private final BlacklistEntries entries;
  private final BlacklistStore blacklist;
  private final HolderStanding standing;
  private final AuditLog audit;
  private final Clock clock;

  public RemoveFromBlacklistFlow(HolderStore holders, BlacklistEntries entries, BlacklistStore blacklist,
      HolderStanding standing, AuditLog audit, Clock clock) {
    this.holders = holders;
    this.entries = entries;
    this.blacklist = blacklist;
    this.standing = standing;
    this.audit = audit;
    this.clock = clock;
  }

  public Outcome run(DSLContext tx, Principal actor, String requestId, Identity identity, String reason) {
    Instant now = clock.instant();
    Holder holder = holders.find(tx, identity)
        .orElseThrow(() -> RegistryException.notFound("HOLDER_NOT_FOUND", "no such holder"));
    holders.lockExclusive(tx, holder.id());
    var manual = BLACKLIST_ENTRY.HOLDER_ID.eq(holder.id()).and(BlacklistStore.inForce(now))
        .and(BLACKLIST_ENTRY.SOURCE.eq(BlacklistEntrySource.MANUAL));
    var liftable = actor.role() == Role.ADMIN ? manual : manual.and(BLACKLIST_ENTRY.PERMANENT.isFalse());
    int permanent = tx.fetchCount(BLACKLIST_ENTRY, manual.and(BLACKLIST_ENTRY.PERMANENT.isTrue()));
    int lifted = entries.lift(tx, liftable, actor.name(), reason, now);
    if (lifted == 0) {
      if (permanent > 0) {
        throw RegistryException.precondition("ENTRY_PERMANENT", "the holder's entry is permanent: only an ADMIN lifts it");
      }
      throw RegistryException.notFound("NOT_BLACKLISTED", "the holder has no manual blacklist entry in force");
    }
    standing.reconcile(tx, holder.id(), "", "unblacklist " + holder.publicId(), now);
    boolean still = blacklist.isBlacklisted(tx, holder.id(), now);
    audit.append(tx, new AuditEntry(actor, requestId, "blacklist.remove", "holder", holder.publicId(), "",
        Json.of(Map.of("blacklisted", true)),
        Json.of(Map.of("entries_lifted", lifted, "still_blacklisted", still, "reason", reason))));
    return new Outcome(lifted, still);
  }
}
