package org.serverhold.registry.domain;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.ICP_FILING;
import static org.serverhold.registry.schema.Tables.ICP_FILING_DOMAIN;
import static org.serverhold.registry.schema.Tables.REGISTRANT;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.schema.enums.DomainHoldReason;
import org.serverhold.registry.schema.enums.IcpFilingStatus;
import org.serverhold.registry.schema.tables.records.DomainRecord;

/** Registrations and their holds. */
public final class DomainStore {
  /** The live registration of {@code ascii}, if any. */
  public Optional<DomainRecord> active(DSLContext tx, String ascii) {
    return tx.selectFrom(DOMAIN).where(DOMAIN.ACTIVE_NAME.eq(ascii)).fetchOptional();
  }

  public Optional<DomainRecord> lockActive(DSLContext tx, String ascii) {
    return tx.selectFrom(DOMAIN).where(DOMAIN.ACTIVE_NAME.eq(ascii)).forUpdate().fetchOptional();
  }

  /** Inserts a live registration; a concurrent registration of the same name wins. */
  public Optional<Long> insert(DSLContext tx, DomainName name, String zone, String registrarId, long registrantId,
      long holderId, Instant created, Instant expires) {
    int inserted = tx.insertInto(DOMAIN)
        .set(DOMAIN.NAME, name.ascii())
        .set(DOMAIN.UNICODE_NAME, name.unicode())
        .set(DOMAIN.ZONE, zone)
        .set(DOMAIN.REGISTRAR_ID, registrarId)
        .set(DOMAIN.REGISTRANT_ID, registrantId)
        .set(DOMAIN.HOLDER_ID, holderId)
        .set(DOMAIN.STATE, org.serverhold.registry.schema.enums.DomainState.ACTIVE)
        .set(DOMAIN.ACTIVE_NAME, name.ascii())
        .set(DOMAIN.CREATED_AT, Timestamps.toDb(created))
        .set(DOMAIN.EXPIRES_AT, Timestamps.toDb(expires))
        .onDuplicateKeyIgnore()
        .execute();
    return inserted == 0 ? Optional.empty() : Optional.of(tx.lastID().longValue());
  }

  /** Ends a live registration (deleted, or transferred to a new holder). */
  public void end(DSLContext tx, long domainId, DomainState state, Instant at) {
    tx.update(DOMAIN)
        .set(DOMAIN.STATE, org.serverhold.registry.schema.enums.DomainState.valueOf(state.name()))
        .set(DOMAIN.ACTIVE_NAME, (String) null)
        .set(DOMAIN.ENDED_AT, Timestamps.toDb(at))
        .where(DOMAIN.ID.eq(domainId))
        .execute();
  }

  public void addHold(DSLContext tx, long domainId, HoldReason reason, String reference, Long takedownId, Instant at) {
    tx.insertInto(DOMAIN_HOLD)
        .set(DOMAIN_HOLD.DOMAIN_ID, domainId)
        .set(DOMAIN_HOLD.REASON, DomainHoldReason.valueOf(reason.name()))
        .set(DOMAIN_HOLD.REFERENCE, reference)
        .set(DOMAIN_HOLD.TAKEDOWN_ID, takedownId)
        .set(DOMAIN_HOLD.CREATED_AT, Timestamps.toDb(at))
        .execute();
  }

  /** Releases one kind of hold on the given domains; returns how many were released. */
  public int releaseHolds(DSLContext tx, Condition domains, HoldReason reason, Instant at) {
    return tx.update(DOMAIN_HOLD)
        .set(DOMAIN_HOLD.RELEASED_AT, Timestamps.toDb(at))
        .where(DOMAIN_HOLD.RELEASED_AT.isNull(), DOMAIN_HOLD.REASON.eq(DomainHoldReason.valueOf(reason.name())),
            DOMAIN_HOLD.DOMAIN_ID.in(DSL.select(DOMAIN.ID).from(DOMAIN).where(domains)))
        .execute();
  }

  /** Stored holds in force on one domain (NOT_FILED is not stored). */
  public List<Hold> holds(DSLContext tx, long domainId) {
    return holds(tx, List.of(domainId)).getOrDefault(domainId, List.of());
  }

  public Map<Long, List<Hold>> holds(DSLContext tx, List<Long> domainIds) {
    Map<Long, List<Hold>> out = new HashMap<>();
    if (domainIds.isEmpty()) {
      return out;
    }
    for (var r : tx.selectFrom(DOMAIN_HOLD).where(DOMAIN_HOLD.DOMAIN_ID.in(domainIds), DOMAIN_HOLD.RELEASED_AT.isNull())
        .orderBy(DOMAIN_HOLD.ID).fetch()) {
      out.computeIfAbsent(r.getDomainId(), k -> new ArrayList<>())
          .add(new Hold(HoldReason.valueOf(r.getReason().name()), r.getReference(), Timestamps.fromDb(r.getCreatedAt())));
    }
    return out;
  }

  /** The client's view of registrations: holds in force plus NOT_FILED where no active filing covers the name. */
  public List<RegisteredDomain> view(DSLContext tx, Condition where, int limit) {
    var filing = DSL.select(DSL.max(ICP_FILING.FILING_NUMBER))
        .from(ICP_FILING_DOMAIN).join(ICP_FILING).on(ICP_FILING.ID.eq(ICP_FILING_DOMAIN.FILING_ID))
        .where(ICP_FILING_DOMAIN.DOMAIN_NAME.eq(DOMAIN.NAME), ICP_FILING.STATUS.eq(IcpFilingStatus.ACTIVE))
        .asField("filing_number");
    List<? extends Record> rows = tx.select(DOMAIN.asterisk(), REGISTRANT.HANDLE, filing)
        .from(DOMAIN).join(REGISTRANT).on(REGISTRANT.ID.eq(DOMAIN.REGISTRANT_ID))
        .where(where)
        .orderBy(DOMAIN.NAME, DOMAIN.ID)
        .limit(limit)
        .fetch();
    List<Long> ids = rows.stream().map(r -> r.get(DOMAIN.ID)).toList();
    Map<Long, List<Hold>> holds = holds(tx, ids);
    List<RegisteredDomain> out = new ArrayList<>(rows.size());
    for (Record r : rows) {
      String filingNumber = r.get("filing_number", String.class);
      DomainState state = DomainState.valueOf(r.get(DOMAIN.STATE).name());
      List<Hold> h = new ArrayList<>(holds.getOrDefault(r.get(DOMAIN.ID), List.of()));
      if (filingNumber == null && state == DomainState.ACTIVE) {
        h.add(new Hold(HoldReason.NOT_FILED, "no active ICP filing covers this name", null));
      }
      out.add(new RegisteredDomain(r.get(DOMAIN.ID), new DomainName(r.get(DOMAIN.NAME), r.get(DOMAIN.UNICODE_NAME)),
          r.get(DOMAIN.ZONE), r.get(DOMAIN.REGISTRAR_ID), r.get(REGISTRANT.HANDLE), r.get(DOMAIN.HOLDER_ID), state, h,
          filingNumber == null ? "" : filingNumber, Timestamps.fromDb(r.get(DOMAIN.CREATED_AT)),
          Timestamps.fromDb(r.get(DOMAIN.EXPIRES_AT))));
    }
    return out;
  }

  public RegisteredDomain viewOne(DSLContext tx, long domainId) {
    return view(tx, DOMAIN.ID.eq(domainId), 1).getFirst();
  }
}
