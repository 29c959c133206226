package org.serverhold.registry.flag;

import static org.serverhold.registry.schema.Tables.FLAG;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.FlagScope;

/**
 * Flags a name (registered here or not, inside our zones or not), exactly or with its whole
 * subtree, and unflags it. Resolvers deny flagged names; registrations of them are refused.
 *
 * <p>Errors: INVALID_ARGUMENT; NOT_FOUND (FLAG_NOT_FOUND) when unflagging a name with no flag in force.
 */
public final class FlagDomainFlow {
  /** A validated flag order. */
  public record Command(DomainName name, boolean subtree, String authority, String caseNumber, String reason,
      Instant expires) {}

  private final FlagStore flags;
  private final PolicyLedger policy;
  private final AuditLog audit;
  private final Clock clock;

  public FlagDomainFlow(FlagStore flags, PolicyLedger policy, AuditLog audit, Clock clock) {
    this.flags = flags;
    this.policy = policy;
    this.audit = audit;
    this.clock = clock;
  }

  public FlagRecord flag(DSLContext tx, Principal actor, String requestId, Command c) {
    Instant now = clock.instant();
    tx.insertInto(FLAG)
        .set(FLAG.NAME, c.name().ascii())
        .set(FLAG.SCOPE, c.subtree() ? FlagScope.SUBTREE : FlagScope.EXACT)
        .set(FLAG.AUTHORITY, c.authority())
        .set(FLAG.CASE_NUMBER, c.caseNumber())
        .set(FLAG.REASON, c.reason())
        .set(FLAG.CREATED_BY, actor.name())
        .set(FLAG.CREATED_AT, Timestamps.toDb(now))
        .set(FLAG.EXPIRES_AT, Timestamps.toDb(c.expires()))
        .execute();
    long id = tx.lastID().longValue();
    long version = policy.flagsChanged(tx, List.of(c.name().ascii()), "flag " + c.name().ascii());
    audit.append(tx, new AuditEntry(actor, requestId, "flag.add", "name", c.name().ascii(), c.authority(), null,
        Json.of(Map.of("flag", id, "scope", c.subtree() ? "SUBTREE" : "EXACT", "case_number", c.caseNumber(),
            "reason", c.reason(), "expires", String.valueOf(c.expires()), "policy_version", version))));
    return flags.byId(tx, id).orElseThrow();
  }

  public FlagRecord unflag(DSLContext tx, Principal actor, String requestId, DomainName name, boolean subtree,
      String reason) {
    Instant now = clock.instant();
    var which = FLAG.NAME.eq(name.ascii()).and(FLAG.SCOPE.eq(subtree ? FlagScope.SUBTREE : FlagScope.EXACT))
        .and(FLAG.LIFTED_AT.isNull());
    Long last = tx.select(FLAG.ID).from(FLAG).where(which).orderBy(FLAG.ID.desc()).limit(1).forUpdate()
        .fetchOne(FLAG.ID);
    if (last == null) {
      throw RegistryException.notFound("FLAG_NOT_FOUND", "no " + (subtree ? "subtree" : "exact") + " flag on " + name.ascii());
    }
    int lifted = flags.lift(tx, which, actor.name(), reason, now);
    long version = policy.flagsChanged(tx, List.of(name.ascii()), "unflag " + name.ascii());
    audit.append(tx, new AuditEntry(actor, requestId, "flag.remove", "name", name.ascii(), "",
        Json.of(Map.of("flags_in_force", lifted)), Json.of(Map.of("reason", reason, "policy_version", version))));
    return flags.byId(tx, last).orElseThrow();
  }
}
