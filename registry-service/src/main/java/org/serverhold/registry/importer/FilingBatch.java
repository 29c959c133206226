package org.serverhold.registry.importer;

import static org.serverhold.registry.schema.Tables.ICP_FILING;
import static org.serverhold.registry.schema.Tables.ICP_FILING_DOMAIN;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.filing.Filing;
import org.serverhold.registry.schema.enums.IcpFilingServiceType;
import org.serverhold.registry.schema.enums.IcpFilingSponsorType;
import org.serverhold.registry.schema.enums.IcpFilingStatus;

/**
 * filings.csv: consecutive rows with one filing number make one filing (one row per covered
 * name), validated as the filing API validates one. A new filing is written whole; one already on
 * record exactly as given is unchanged; one on record with other content is rejected (the import
 * adds, it does not overwrite: change a filing through the filing API).
 */
final class FilingBatch {
  private final ImportRules rules;

  FilingBatch(ImportRules rules) {
    this.rules = rules;
  }

  /** A filing as stored, for comparison. */
  private record Stored(long id, String sponsorName, String sponsorType, String serviceType, String serviceName,
      String accessProvider, boolean active, Set<String> domains) {
    boolean sameAs(Filing f) {
      return sponsorName.equals(f.sponsorName()) && sponsorType.equals(f.sponsorType().name())
          && serviceType.equals(f.serviceType().name()) && serviceName.equals(f.serviceName())
          && accessProvider.equals(f.accessProvider()) && active && domains.equals(new HashSet<>(f.domains()));
    }
  }

  BatchOutcome run(DSLContext tx, List<CsvRows.Row> rows, Instant now) {
    List<Reject> rejects = new ArrayList<>();
    List<ImportRules.FilingGroup> groups = new ArrayList<>();
    for (int i = 0; i < rows.size(); ) {
      String key = ImportRules.groupKey(rows.get(i));
      List<Long> lines = new ArrayList<>();
      List<ImportRules.FilingRow> parsed = new ArrayList<>();
      int j = i;
      for (; j < rows.size() && ImportRules.groupKey(rows.get(j)).equals(key); j++) {
        lines.add(rows.get(j).line());
        parsed.add(rules.filingRow(rows.get(j), rejects));
      }
      groups.add(rules.filingGroup(key, lines, parsed, rejects));
      i = j;
    }
    List<String> numbers = groups.stream().filter(g -> g.filing() != null).map(g -> g.filing().filingNumber())
        .distinct().toList();
    Map<String, Stored> stored = new HashMap<>();
    if (!numbers.isEmpty()) {
      Map<Long, Set<String>> domainsOf = new HashMap<>();
      var records = tx.selectFrom(ICP_FILING).where(ICP_FILING.FILING_NUMBER.in(numbers)).forUpdate().fetch();
      if (!records.isEmpty()) {
        tx.select(ICP_FILING_DOMAIN.FILING_ID, ICP_FILING_DOMAIN.DOMAIN_NAME).from(ICP_FILING_DOMAIN)
            .where(ICP_FILING_DOMAIN.FILING_ID.in(records.map(r -> r.getId())))
            .forEach(r -> domainsOf.computeIfAbsent(r.value1(), k -> new HashSet<>()).add(r.value2()));
      }
      for (var r : records) {
        stored.put(r.getFilingNumber(), new Stored(r.getId(), r.getSponsorName(), r.getSponsorType().name(),
            r.getServiceType().name(), r.getServiceName(), r.getAccessProvider(), r.getStatus() == IcpFilingStatus.ACTIVE,
            domainsOf.getOrDefault(r.getId(), Set.of())));
      }
    }
    Map<String, Filing> create = new LinkedHashMap<>();
    int imported = 0;
    int unchanged = 0;
    for (var g : groups) {
      Filing f = g.filing();
      if (f == null) {
        continue;
      }
      Stored s = stored.get(f.filingNumber());
      Filing earlier = create.get(f.filingNumber());
      boolean same = s != null ? s.sameAs(f) : earlier != null && sameFiling(earlier, f);
      if (s == null && earlier == null) {
        create.put(f.filingNumber(), f);
        imported += g.lines().size();
      } else if (same) {
        unchanged += g.lines().size();
      } else {
        long first = g.lines().getFirst();
        rejects.add(new Reject(ImportFile.FILINGS, first, "filing_number", "filing " + f.filingNumber()
            + " is already on record with other content (rows of one filing must be consecutive; change a filing"
            + " with `serverhold filing upsert`)"));
        for (long line : g.lines().subList(1, g.lines().size())) {
          rejects.add(new Reject(ImportFile.FILINGS, line, "filing_number",
              "filing " + f.filingNumber() + " is rejected whole: see line " + first));
        }
      }
    }
    List<String> touched = new ArrayList<>();
    if (!create.isEmpty()) {
      var ts = Timestamps.toDb(now);
      var insert = tx.insertInto(ICP_FILING, ICP_FILING.FILING_NUMBER, ICP_FILING.MAIN_NUMBER, ICP_FILING.SPONSOR_NAME,
          ICP_FILING.SPONSOR_TYPE, ICP_FILING.SERVICE_TYPE, ICP_FILING.SERVICE_NAME, ICP_FILING.ACCESS_PROVIDER,
          ICP_FILING.STATUS, ICP_FILING.CREATED_AT, ICP_FILING.UPDATED_AT);
      for (Filing f : create.values()) {
        insert = insert.values(f.filingNumber(), f.mainNumber(), f.sponsorName(),
            IcpFilingSponsorType.valueOf(f.sponsorType().name()), IcpFilingServiceType.valueOf(f.serviceType().name()),
            f.serviceName(), f.accessProvider(), IcpFilingStatus.ACTIVE, ts, ts);
      }
      if (insert.onDuplicateKeyIgnore().execute() != create.size()) {
        throw new Database.RetryTransaction("a filing of this batch was created concurrently");
      }
      Map<String, Long> ids = tx.select(ICP_FILING.FILING_NUMBER, ICP_FILING.ID).from(ICP_FILING)
          .where(ICP_FILING.FILING_NUMBER.in(create.keySet())).fetchMap(ICP_FILING.FILING_NUMBER, ICP_FILING.ID);
      List<Object[]> links = new ArrayList<>();
      for (Filing f : create.values()) {
        for (String d : f.domains()) {
          links.add(new Object[] {ids.get(f.filingNumber()), d});
          touched.add(d);
        }
      }
      for (int from = 0; from < links.size(); from += 5000) {
        var link = tx.insertInto(ICP_FILING_DOMAIN, ICP_FILING_DOMAIN.FILING_ID, ICP_FILING_DOMAIN.DOMAIN_NAME);
        for (Object[] l : links.subList(from, Math.min(links.size(), from + 5000))) {
          link = link.values((Long) l[0], (String) l[1]);
        }
        link.execute();
      }
    }
    return new BatchOutcome(BatchOutcome.count(rows.size(), imported, unchanged, rejects), rejects, touched);
  }

  private static boolean sameFiling(Filing a, Filing b) {
    return a.sponsorName().equals(b.sponsorName()) && a.sponsorType() == b.sponsorType()
        && a.serviceType() == b.serviceType() && a.serviceName().equals(b.serviceName())
        && a.accessProvider().equals(b.accessProvider())
        && Objects.equals(new HashSet<>(a.domains()), new HashSet<>(b.domains()));
  }
}
