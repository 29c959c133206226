package org.serverhold.registry.policy;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.FLAG;
import static org.serverhold.registry.schema.Tables.ICP_FILING;
import static org.serverhold.registry.schema.Tables.ICP_FILING_DOMAIN;
import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET;
import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET_PART;
import static org.serverhold.registry.schema.Tables.POLICY_ENTRY;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;
import static org.serverhold.registry.schema.Tables.POLICY_ZONE;

import com.google.protobuf.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record4;
import org.serverhold.api.v1.Changeset;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.EntryKind;
import org.serverhold.api.v1.PolicyChange;
import org.serverhold.api.v1.PolicyEntry;
import org.serverhold.api.v1.PolicyKey;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.domain.HoldReason;
import org.serverhold.registry.name.ManagedZones;
import org.serverhold.registry.schema.enums.FlagScope;
import org.serverhold.registry.schema.enums.IcpFilingStatus;
import org.serverhold.registry.schema.enums.PolicyEntryKind;
import org.serverhold.registry.schema.enums.PolicyEntryReason;

/**
 * Keeps the materialized policy (one decision per name) in step with the registry, inside the
 * writing transaction: a flow names what it touched, the ledger recomputes those decisions from
 * domains, holds, filings and flags, writes the difference, and appends it as one changeset
 * under the next version. The version row stays locked until the transaction commits, so
 * versions are gap-free and in commit order, and no reader sees part of a changeset.
 *
 * <p>The version row is locked when a publication opens, before any decision is computed:
 * publishers run one after another from there to commit, so each computes its decisions from
 * what the previous one committed (two concurrent computations could otherwise each miss the
 * other's change and publish a stale decision). The version itself is only taken when a
 * decision actually changes, so a transaction that changes nothing leaves no gap.
 *
 * <p>Work is done in chunks, so a takedown of 100,000 domains never holds them all in memory.
 */
public final class PolicyLedger {
  static final int CHUNK = 2000;
  static final int PART_SIZE = 5000;

  private final ManagedZones zones;
  private final Clock clock;

  public PolicyLedger(ManagedZones zones, Clock clock) {
    this.zones = zones;
    this.clock = clock;
  }

  public ManagedZones zones() {
    return zones;
  }

  /** Recomputes the decisions of these registrable names and publishes what changed. */
  public long domainsChanged(DSLContext tx, Collection<String> names, String cause) {
    Publication p = open(tx, cause);
    p.domains(names);
    return p.close();
  }

  /** Recomputes the flag entries of these names and publishes what changed. */
  public long flagsChanged(DSLContext tx, Collection<String> names, String cause) {
    Publication p = open(tx, cause);
    p.flags(names);
    return p.close();
  }

  public Publication open(DSLContext tx, String cause) {
    return new Publication(tx, cause);
  }

  /** Publishes the configured zones if they differ from the last published ones. */
  public long syncZones(DSLContext tx) {
    Set<String> published = new HashSet<>(tx.select(POLICY_ZONE.NAME).from(POLICY_ZONE).fetch(POLICY_ZONE.NAME));
    Set<String> configured = new HashSet<>(zones.asList());
    Publication p = open(tx, "managed zones");
    for (String z : configured) {
      if (!published.contains(z)) {
        tx.insertInto(POLICY_ZONE).set(POLICY_ZONE.NAME, z).execute();
        p.add(PolicyChange.newBuilder().setAddZone(z).build());
      }
    }
    for (String z : published) {
      if (!configured.contains(z)) {
        tx.deleteFrom(POLICY_ZONE).where(POLICY_ZONE.NAME.eq(z)).execute();
        p.add(PolicyChange.newBuilder().setRemoveZone(z).build());
      }
    }
    return p.close();
  }

  /** One transaction's changeset, written part by part as it grows. */
  public final class Publication {
    private final DSLContext tx;
    private final String cause;
    private final List<PolicyChange> buffer = new ArrayList<>();
    private Changeset.Builder pending;
    private long version = -1;
    private int parts;
    private int changes;

    private long head;

    private Publication(DSLContext tx, String cause) {
      this.tx = tx;
      this.cause = cause.length() > 255 ? cause.substring(0, 255) : cause;
      this.head = tx.select(POLICY_HEAD.VERSION).from(POLICY_HEAD).where(POLICY_HEAD.ID.eq(1)).forUpdate()
          .fetchSingle(POLICY_HEAD.VERSION);
    }

    public void domains(Collection<String> names) {
      List<String> chunk = new ArrayList<>(CHUNK);
      for (String n : new LinkedHashSet<>(names)) {
        chunk.add(n);
        if (chunk.size() == CHUNK) {
          domainChunk(chunk);
          chunk.clear();
        }
      }
      if (!chunk.isEmpty()) {
        domainChunk(chunk);
      }
    }

    public void flags(Collection<String> names) {
      for (String name : new LinkedHashSet<>(names)) {
        flagName(name);
      }
    }

    private void domainChunk(List<String> names) {
      Map<String, Long> ids = new HashMap<>();
      tx.select(DOMAIN.ID, DOMAIN.NAME).from(DOMAIN).where(DOMAIN.ACTIVE_NAME.in(names))
          .forEach(r -> ids.put(r.value2(), r.value1()));
      Map<Long, List<Decision.HoldRef>> holds = new HashMap<>();
      if (!ids.isEmpty()) {
        tx.select(DOMAIN_HOLD.DOMAIN_ID, DOMAIN_HOLD.REASON, DOMAIN_HOLD.REFERENCE).from(DOMAIN_HOLD)
            .where(DOMAIN_HOLD.DOMAIN_ID.in(ids.values()), DOMAIN_HOLD.RELEASED_AT.isNull())
            .forEach(r -> holds.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                .add(new Decision.HoldRef(HoldReason.valueOf(r.value2().name()), r.value3())));
      }
      Set<String> filed = new HashSet<>(tx.selectDistinct(ICP_FILING_DOMAIN.DOMAIN_NAME).from(ICP_FILING_DOMAIN)
          .join(ICP_FILING).on(ICP_FILING.ID.eq(ICP_FILING_DOMAIN.FILING_ID))
          .where(ICP_FILING_DOMAIN.DOMAIN_NAME.in(names), ICP_FILING.STATUS.eq(IcpFilingStatus.ACTIVE))
          .fetch(ICP_FILING_DOMAIN.DOMAIN_NAME));
      Map<String, Decision> current = new HashMap<>();
      for (Record4<PolicyEntryKind, String, PolicyEntryReason, String> r : tx
          .select(POLICY_ENTRY.KIND, POLICY_ENTRY.NAME, POLICY_ENTRY.REASON, POLICY_ENTRY.REFERENCE)
          .from(POLICY_ENTRY).where(POLICY_ENTRY.KIND.eq(PolicyEntryKind.DOMAIN), POLICY_ENTRY.NAME.in(names))
          .fetch()) {
        current.put(r.value2(), new Decision(Decision.Reason.valueOf(r.value3().name()), r.value4()));
      }
      List<String> removed = new ArrayList<>();
      Map<String, Decision> written = new HashMap<>();
      for (String name : names) {
        Long id = ids.get(name);
        Decision next = id == null ? null : Decision.forDomain(holds.getOrDefault(id, List.of()), filed.contains(name));
        Decision before = current.get(name);
        if (next == null && before != null) {
          removed.add(name);
        } else if (next != null && !next.equals(before)) {
          written.put(name, next);
        }
      }
      if (removed.isEmpty() && written.isEmpty()) {
        return;
      }
      allocate();
      List<String> stale = new ArrayList<>(removed);
      stale.addAll(written.keySet());
      tx.deleteFrom(POLICY_ENTRY).where(POLICY_ENTRY.KIND.eq(PolicyEntryKind.DOMAIN), POLICY_ENTRY.NAME.in(stale)).execute();
      if (!written.isEmpty()) {
        var insert = tx.insertInto(POLICY_ENTRY, POLICY_ENTRY.KIND, POLICY_ENTRY.NAME, POLICY_ENTRY.REASON,
            POLICY_ENTRY.REFERENCE, POLICY_ENTRY.VERSION);
        for (var e : written.entrySet()) {
          insert = insert.values(PolicyEntryKind.DOMAIN, e.getKey(), PolicyEntryReason.valueOf(e.getValue().reason().name()),
              e.getValue().reference(), version);
        }
        insert.execute();
      }
      for (String name : removed) {
        add(PolicyChange.newBuilder().setRemove(PolicyKey.newBuilder().setKind(EntryKind.DOMAIN).setName(name)).build());
      }
      for (var e : written.entrySet()) {
        add(PolicyChange.newBuilder().setPut(entry(EntryKind.DOMAIN, e.getKey(), e.getValue())).build());
      }
    }

    private void flagName(String name) {
      Instant now = clock.instant();
      for (FlagScope scope : FlagScope.values()) {
        PolicyEntryKind kind = scope == FlagScope.EXACT ? PolicyEntryKind.FLAG_EXACT : PolicyEntryKind.FLAG_SUBTREE;
        String caseNumber = tx.select(FLAG.CASE_NUMBER).from(FLAG)
            .where(FLAG.NAME.eq(name), FLAG.SCOPE.eq(scope), FLAG.LIFTED_AT.isNull(),
                FLAG.EXPIRES_AT.isNull().or(FLAG.EXPIRES_AT.gt(Timestamps.toDb(now))))
            .orderBy(FLAG.ID.desc()).limit(1).fetchOne(FLAG.CASE_NUMBER);
        Decision next = caseNumber == null ? null : new Decision(Decision.Reason.FLAGGED, caseNumber);
        var row = tx.select(POLICY_ENTRY.REASON, POLICY_ENTRY.REFERENCE).from(POLICY_ENTRY)
            .where(POLICY_ENTRY.KIND.eq(kind), POLICY_ENTRY.NAME.eq(name)).fetchOne();
        Decision before = row == null ? null : new Decision(Decision.Reason.valueOf(row.value1().name()), row.value2());
        if (java.util.Objects.equals(next, before)) {
          continue;
        }
        allocate();
        tx.deleteFrom(POLICY_ENTRY).where(POLICY_ENTRY.KIND.eq(kind), POLICY_ENTRY.NAME.eq(name)).execute();
        EntryKind wireKind = scope == FlagScope.EXACT ? EntryKind.FLAG_EXACT : EntryKind.FLAG_SUBTREE;
        if (next == null) {
          add(PolicyChange.newBuilder().setRemove(PolicyKey.newBuilder().setKind(wireKind).setName(name)).build());
        } else {
          tx.insertInto(POLICY_ENTRY).set(POLICY_ENTRY.KIND, kind).set(POLICY_ENTRY.NAME, name)
              .set(POLICY_ENTRY.REASON, PolicyEntryReason.FLAGGED).set(POLICY_ENTRY.REFERENCE, next.reference())
              .set(POLICY_ENTRY.VERSION, version).execute();
          add(PolicyChange.newBuilder().setPut(entry(wireKind, name, next)).build());
        }
      }
    }

    /** Takes the next version (the head row is locked since open, until commit). */
    private void allocate() {
      if (version >= 0) {
        return;
      }
      version = head + 1;
      tx.update(POLICY_HEAD).set(POLICY_HEAD.VERSION, version).where(POLICY_HEAD.ID.eq(1)).execute();
    }

    void add(PolicyChange change) {
      allocate();
      buffer.add(change);
      changes++;
      if (buffer.size() >= PART_SIZE) {
        cut();
      }
    }

    /** Moves the buffer into a part; the previous part is written now that it is known not to be the last. */
    private void cut() {
      writePending(false);
      pending = Changeset.newBuilder().setVersion(version).setPart(parts++).setCause(cause).addAllChanges(buffer);
      buffer.clear();
    }

    private void writePending(boolean last) {
      if (pending == null) {
        return;
      }
      Changeset part = pending.setLastPart(last).build();
      tx.insertInto(POLICY_CHANGESET_PART)
          .set(POLICY_CHANGESET_PART.VERSION, version)
          .set(POLICY_CHANGESET_PART.PART, part.getPart())
          .set(POLICY_CHANGESET_PART.BODY, part.toByteArray())
          .execute();
      pending = null;
    }

    /** Writes the changeset if anything changed; returns its version, or -1 when nothing did. */
    public long close() {
      if (version < 0) {
        return -1;
      }
      if (!buffer.isEmpty() || pending == null) {
        cut();
      }
      Instant now = clock.instant();
      pending.setCommitted(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
      writePending(true);
      tx.insertInto(POLICY_CHANGESET)
          .set(POLICY_CHANGESET.VERSION, version)
          .set(POLICY_CHANGESET.COMMITTED_MS, now.toEpochMilli())
          .set(POLICY_CHANGESET.CAUSE, cause)
          .set(POLICY_CHANGESET.CHANGE_COUNT, changes)
          .set(POLICY_CHANGESET.PART_COUNT, parts)
          .execute();
      return version;
    }
  }

  static PolicyEntry entry(EntryKind kind, String name, Decision d) {
    return PolicyEntry.newBuilder().setKind(kind).setName(name).setReason(wireReason(d.reason()))
        .setReference(d.reference()).build();
  }

  static DenyReason wireReason(Decision.Reason reason) {
    return switch (reason) {
      case ALLOW -> DenyReason.DENY_REASON_UNSPECIFIED;
      case NOT_FILED -> DenyReason.DENY_NOT_FILED;
      case TAKEDOWN -> DenyReason.DENY_TAKEDOWN;
      case HOLDER_BLACKLISTED -> DenyReason.DENY_HOLDER_BLACKLISTED;
      case IDENTITY_UNVERIFIED -> DenyReason.DENY_IDENTITY_UNVERIFIED;
      case REGISTRAR_HOLD -> DenyReason.DENY_REGISTRAR_HOLD;
      case FLAGGED -> DenyReason.DENY_FLAGGED;
      case PEER_DISPOSAL -> DenyReason.DENY_PEER_DISPOSAL;
    };
  }
}
