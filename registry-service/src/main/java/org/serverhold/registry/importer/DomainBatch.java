package org.serverhold.registry.importer;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.FLAG;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.schema.Tables.IMPORT_HOLDER_REF;
import static org.serverhold.registry.schema.Tables.REGISTRANT;
import static org.serverhold.registry.schema.Tables.REGISTRAR;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jooq.DSLContext;
import org.jooq.Row2;
import org.jooq.impl.DSL;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.domain.RefusalReason;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.schema.enums.DomainHoldReason;
import org.serverhold.registry.schema.enums.DomainState;
import org.serverhold.registry.schema.enums.FlagScope;

/**
 * domains.csv: each row registers a name for the holder its holder_ref names, at a registrar,
 * under the registrar's registrant handle, decided by the same rules as RegisterDomain (managed
 * zone, registrable, free, not flagged, holder not blacklisted). A registrant not yet on record is
 * created, verified or not as the row says; an unverified registrant's domains are held
 * IDENTITY_UNVERIFIED, as at registration. Holders are locked shared, as RegisterDomain locks
 * them, so a takedown of one of them either comes first (and the rows are refused) or waits.
 */
final class DomainBatch {
  private final ImportRules rules;

  DomainBatch(ImportRules rules) {
    this.rules = rules;
  }

  private record Registrant(Long id, long holderId, boolean verified) {}

  private record Live(long holderId, String registrarId, long registrantId, String handle) {}

  private record Planned(ImportRules.DomainRow row, long holderId) {}

  BatchOutcome run(DSLContext tx, long runId, List<CsvRows.Row> rows, Instant now, String evidence) {
    List<Reject> rejects = new ArrayList<>();
    List<ImportRules.DomainRow> good = new ArrayList<>();
    for (CsvRows.Row row : rows) {
      ImportRules.DomainRow d = rules.domain(row, rejects);
      if (d != null) {
        good.add(d);
      }
    }
    if (good.isEmpty()) {
      return new BatchOutcome(BatchOutcome.count(rows.size(), 0, 0, rejects), rejects, List.of());
    }
    Map<String, Long> holderOf = tx.select(IMPORT_HOLDER_REF.REF, IMPORT_HOLDER_REF.HOLDER_ID).from(IMPORT_HOLDER_REF)
        .where(IMPORT_HOLDER_REF.RUN_ID.eq(runId),
            IMPORT_HOLDER_REF.REF.in(good.stream().map(ImportRules.DomainRow::holderRef).distinct().toList()))
        .fetchMap(IMPORT_HOLDER_REF.REF, IMPORT_HOLDER_REF.HOLDER_ID);
    Set<String> registrars = new HashSet<>(tx.select(REGISTRAR.ID).from(REGISTRAR)
        .where(REGISTRAR.ID.in(good.stream().map(ImportRules.DomainRow::registrarId).distinct().toList()))
        .fetch(REGISTRAR.ID));
    TreeSet<Long> holderIds = new TreeSet<>(holderOf.values());
    // Shared holder locks, in id order, before the blacklist is read: as RegisterDomainFlow does.
    tx.select(HOLDER.ID).from(HOLDER).where(HOLDER.ID.in(holderIds)).orderBy(HOLDER.ID).forShare().fetch();
    Set<Long> blacklisted = new HashSet<>(tx.selectDistinct(BLACKLIST_ENTRY.HOLDER_ID).from(BLACKLIST_ENTRY)
        .where(BLACKLIST_ENTRY.HOLDER_ID.in(holderIds), BlacklistStore.inForce(now)).fetch(BLACKLIST_ENTRY.HOLDER_ID));

    List<Row2<String, String>> registrantKeys = good.stream().map(d -> DSL.row(d.registrarId(), d.handle())).distinct()
        .toList();
    Map<String, Registrant> registrants = new HashMap<>();
    tx.select(REGISTRANT.ID, REGISTRANT.REGISTRAR_ID, REGISTRANT.HANDLE, REGISTRANT.HOLDER_ID, REGISTRANT.VERIFIED_AT)
        .from(REGISTRANT).where(DSL.row(REGISTRANT.REGISTRAR_ID, REGISTRANT.HANDLE).in(registrantKeys)).forUpdate()
        .forEach(r -> registrants.put(key(r.value2(), r.value3()),
            new Registrant(r.value1(), r.value4(), r.value5() != null)));

    List<String> names = good.stream().map(d -> d.name().ascii()).distinct().toList();
    Map<String, Live> live = new HashMap<>();
    tx.select(DOMAIN.ACTIVE_NAME, DOMAIN.HOLDER_ID, DOMAIN.REGISTRAR_ID, DOMAIN.REGISTRANT_ID, REGISTRANT.HANDLE)
        .from(DOMAIN).join(REGISTRANT).on(REGISTRANT.ID.eq(DOMAIN.REGISTRANT_ID))
        .where(DOMAIN.ACTIVE_NAME.in(names))
        .forEach(r -> live.put(r.value1(), new Live(r.value2(), r.value3(), r.value4(), r.value5())));
    Set<String> flagged = flagged(tx, names, now);

    Map<String, Registrant> newRegistrants = new LinkedHashMap<>();
    Map<String, Planned> planned = new LinkedHashMap<>();
    int unchanged = 0;
    for (ImportRules.DomainRow d : good) {
      List<Reject> problems = new ArrayList<>();
      Long holderId = holderOf.get(d.holderRef());
      if (holderId == null) {
        problems.add(new Reject(ImportFile.DOMAINS, d.line(), "holder_ref",
            "names no holder of this import's holders.csv (or its row was rejected)"));
      }
      if (!registrars.contains(d.registrarId())) {
        problems.add(new Reject(ImportFile.DOMAINS, d.line(), "registrar_id",
            "no such registrar (create it first: serverhold admin registrar create " + d.registrarId() + ")"));
      }
      if (!problems.isEmpty()) {
        rejects.addAll(problems);
        continue;
      }
      String name = d.name().ascii();
      Live existing = live.get(name);
      Planned earlier = planned.get(name);
      if (existing != null || earlier != null) {
        long owner = existing != null ? existing.holderId() : earlier.holderId();
        boolean same = existing != null
            ? existing.holderId() == holderId && existing.registrarId().equals(d.registrarId())
                && existing.handle().equals(d.handle())
            : earlier.holderId() == holderId && earlier.row().registrarId().equals(d.registrarId())
                && earlier.row().handle().equals(d.handle());
        if (same) {
          unchanged++; // on record exactly so: a re-run, or the same row twice
          continue;
        }
        problems.add(new Reject(ImportFile.DOMAINS, d.line(), "domain", owner != holderId
            ? ImportRules.refusal(RefusalReason.DOMAIN_TAKEN, d.name())
            : "is already registered to this holder at another registrar or under another handle"));
      }
      String rk = key(d.registrarId(), d.handle());
      Registrant registrant = registrants.getOrDefault(rk, newRegistrants.get(rk));
      if (registrant != null && registrant.holderId() != holderId) {
        problems.add(new Reject(ImportFile.DOMAINS, d.line(), "registrant_handle", "handle '" + d.handle()
            + "' belongs to another holder at " + d.registrarId() + " (a change of holder is a transfer)"));
      } else if (registrant != null && registrant.verified() != d.verified()) {
        problems.add(new Reject(ImportFile.DOMAINS, d.line(), "verified", "registrant " + d.registrarId() + "/"
            + d.handle() + " is " + (registrant.verified() ? "verified" : "not verified")
            + " on record; all rows of one registrant must agree"));
      }
      for (RefusalReason r : rules.refusals(d, isFlagged(flagged, name), blacklisted.contains(holderId))) {
        problems.add(new Reject(ImportFile.DOMAINS, d.line(), r == RefusalReason.HOLDER_BLACKLISTED ? "holder_ref" : "domain",
            ImportRules.refusal(r, d.name())));
      }
      if (!problems.isEmpty()) {
        rejects.addAll(problems);
        continue;
      }
      if (registrant == null) {
        newRegistrants.put(rk, new Registrant(null, holderId, d.verified()));
      }
      planned.put(name, new Planned(d, holderId));
    }

    if (!newRegistrants.isEmpty()) {
      var ts = Timestamps.toDb(now);
      var insert = tx.insertInto(REGISTRANT, REGISTRANT.REGISTRAR_ID, REGISTRANT.HANDLE, REGISTRANT.HOLDER_ID,
          REGISTRANT.VERIFIED_AT, REGISTRANT.EVIDENCE_REF, REGISTRANT.CREATED_AT);
      for (var e : newRegistrants.entrySet()) {
        String[] k = e.getKey().split("\u0000", 2);
        boolean v = e.getValue().verified();
        insert = insert.values(k[0], k[1], e.getValue().holderId(), v ? ts : null, v ? evidence : null, ts);
      }
      if (insert.onDuplicateKeyIgnore().execute() != newRegistrants.size()) {
        throw new Database.RetryTransaction("a registrant of this batch was created concurrently");
      }
      tx.select(REGISTRANT.ID, REGISTRANT.REGISTRAR_ID, REGISTRANT.HANDLE, REGISTRANT.HOLDER_ID, REGISTRANT.VERIFIED_AT)
          .from(REGISTRANT).where(DSL.row(REGISTRANT.REGISTRAR_ID, REGISTRANT.HANDLE)
              .in(newRegistrants.keySet().stream().map(k -> k.split("\u0000", 2)).map(k -> DSL.row(k[0], k[1])).toList()))
          .forEach(r -> registrants.put(key(r.value2(), r.value3()),
              new Registrant(r.value1(), r.value4(), r.value5() != null)));
    }
    if (!planned.isEmpty()) {
      var insert = tx.insertInto(DOMAIN, DOMAIN.NAME, DOMAIN.UNICODE_NAME, DOMAIN.ZONE, DOMAIN.REGISTRAR_ID,
          DOMAIN.REGISTRANT_ID, DOMAIN.HOLDER_ID, DOMAIN.STATE, DOMAIN.ACTIVE_NAME, DOMAIN.CREATED_AT, DOMAIN.EXPIRES_AT);
      for (Planned p : planned.values()) {
        ImportRules.DomainRow d = p.row();
        DomainName n = d.name();
        insert = insert.values(n.ascii(), n.unicode(), d.zone(), d.registrarId(),
            registrants.get(key(d.registrarId(), d.handle())).id(), p.holderId(), DomainState.ACTIVE, n.ascii(),
            Timestamps.toDb(d.created()), Timestamps.toDb(d.expires()));
      }
      if (insert.onDuplicateKeyIgnore().execute() != planned.size()) {
        throw new Database.RetryTransaction("a domain of this batch was registered concurrently");
      }
      List<Planned> unverified = planned.values().stream().filter(p -> !p.row().verified()).toList();
      if (!unverified.isEmpty()) {
        Map<String, Long> ids = tx.select(DOMAIN.ACTIVE_NAME, DOMAIN.ID).from(DOMAIN)
            .where(DOMAIN.ACTIVE_NAME.in(unverified.stream().map(p -> p.row().name().ascii()).toList()))
            .fetchMap(DOMAIN.ACTIVE_NAME, DOMAIN.ID);
        var holds = tx.insertInto(DOMAIN_HOLD, DOMAIN_HOLD.DOMAIN_ID, DOMAIN_HOLD.REASON, DOMAIN_HOLD.REFERENCE,
            DOMAIN_HOLD.CREATED_AT);
        for (Planned p : unverified) {
          holds = holds.values(ids.get(p.row().name().ascii()), DomainHoldReason.IDENTITY_UNVERIFIED,
              "registrant " + p.row().handle(), Timestamps.toDb(now));
        }
        holds.execute();
      }
    }
    return new BatchOutcome(BatchOutcome.count(rows.size(), planned.size(), unchanged, rejects), rejects,
        List.copyOf(planned.keySet()));
  }

  /** Names with a flag in force on themselves, or a subtree flag on an ancestor (as FlagStore.isFlagged). */
  private static Set<String> flagged(DSLContext tx, List<String> names, Instant now) {
    Set<String> candidates = new HashSet<>();
    for (String n : names) {
      for (String a = n; a != null; a = DomainName.parentOf(a)) {
        candidates.add(a);
      }
    }
    Set<String> out = new HashSet<>();
    tx.select(FLAG.NAME, FLAG.SCOPE).from(FLAG)
        .where(FLAG.NAME.in(candidates), FLAG.LIFTED_AT.isNull(),
            FLAG.EXPIRES_AT.isNull().or(FLAG.EXPIRES_AT.gt(Timestamps.toDb(now))))
        .forEach(r -> out.add((r.value2() == FlagScope.SUBTREE ? "S:" : "E:") + r.value1()));
    return out;
  }

  private static boolean isFlagged(Set<String> flags, String name) {
    if (flags.isEmpty()) {
      return false;
    }
    if (flags.contains("E:" + name) || flags.contains("S:" + name)) {
      return true;
    }
    for (String a = DomainName.parentOf(name); a != null; a = DomainName.parentOf(a)) {
      if (flags.contains("S:" + a)) {
        return true;
      }
    }
    return false;
  }

  private static String key(String registrarId, String handle) {
    return registrarId + "\u0000" + handle;
  }
}
