package org.serverhold.registry.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.FLAG;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.schema.Tables.ICP_FILING;
import static org.serverhold.registry.schema.Tables.POLICY_ENTRY;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.registry.Registry;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.schema.enums.BlacklistEntrySource;
import org.serverhold.registry.schema.enums.FlagScope;
import org.serverhold.registry.schema.enums.PolicyEntryKind;
import org.serverhold.registry.testing.Fixtures;
import org.serverhold.registry.testing.TestDatabases;

/** serverhold import against a real database: rejects, changesets, resume after a crash, re-runs. */
class RegistryImportTest {
  static final HolderKeys KEYS = new HolderKeys(bytes(1), bytes(2));
  static final Principal ACTOR = new Principal("import-test", Role.ADMIN, null, 0);

  @TempDir Path tmp;
  final List<Registry> opened = new ArrayList<>();

  static byte[] bytes(int seed) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) seed);
    return b;
  }

  Registry registry() {
    try {
      Database db = TestDatabases.fresh(Files.createTempDirectory(tmp, "db"));
      Registry r = new Registry(db, KEYS, RegistryConfig.DEFAULT_ZONES, Clock.systemUTC());
      r.credentials.ensureRegistrar(Principal.system("test"), "reg-a", "Registrar A");
      opened.add(r);
      return r;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void close() {
    for (Registry r : opened) {
      r.close();
      TestDatabases.drop(r.db);
      r.db.close();
    }
  }

  static Path write(Path dir, String name, String... lines) throws IOException {
    Files.createDirectories(dir);
    Path p = dir.resolve(name);
    Files.writeString(p, String.join("\r\n", lines) + "\r\n", StandardCharsets.UTF_8);
    return p;
  }

  ImportSummary run(Registry r, RegistryImport.Files files, int batch, boolean restart) {
    return new RegistryImport(ImportContext.of(r)).run(files, new RegistryImport.Options(batch, restart,
        tmp.resolve("rejects.csv")), ACTOR, ImportListener.NONE);
  }

  List<String> rejects() throws IOException {
    return Files.readAllLines(tmp.resolve("rejects.csv"));
  }

  static String person(long n) {
    return Fixtures.residentId(n);
  }

  @Test
  void goodRowsImportedAndBadRowsRejectedWhole() throws Exception {
    Registry r = registry();
    Path holders = write(tmp, "holders.csv",
        "holder_ref,identity_type,identity_number,name",
        "h1,RESIDENT_ID_CARD," + person(1) + ",张三",                                     // 2
        "h2,BUSINESS_LICENCE," + Fixtures.company(2).getNumber() + ",\"某某公司, 北京\"", // 3
        "h3,RESIDENT_ID_CARD," + person(3).substring(0, 17) + (person(3).endsWith("1") ? "2" : "1") + ",李四", // 4
        "h4,DRIVING_LICENCE,12345,王五",                                                  // 5
        "h1,RESIDENT_ID_CARD," + person(6) + ",赵六",                                      // 6: ref taken by another identity
        "h1b,RESIDENT_ID_CARD," + person(1) + ",张三",                                    // 7: same person, second ref
        "h5,PASSPORT,E1234567");                                                          // 8: missing a field
    Path filings = write(tmp, "filings.csv",
        "filing_number,sponsor_name,sponsor_type,service_type,service_name,access_provider,domain",
        "京ICP备12345678号-1,张三,INDIVIDUAL,WEBSITE,张三的网站,某某云,a.cn",             // 2
        "京ICP备12345678号-1,张三,INDIVIDUAL,WEBSITE,张三的网站,某某云,例子.中国",          // 3
        "京ICP备22222222号-1,某某公司,ENTERPRISE,WEBSITE,某某网,某某云,c.cn",             // 4
        "京ICP备22222222号-1,某某公司,ENTERPRISE,WEBSITE,某某网,某某云,-bad-.cn",         // 5: rejects its filing
        "京ICP备22222222号-1,某某公司,ENTERPRISE,WEBSITE,某某网,某某云,d.cn",             // 6
        "ICP12345,某某公司,ENTERPRISE,WEBSITE,某某网,某某云,e.cn");                       // 7
    Path domains = write(tmp, "domains.csv",
        "domain,holder_ref,registrar_id,registrant_handle,verified,created,expires",
        "a.cn,h1,reg-a,zhang,true,2024-01-01,2027-01-01",                                   // 2
        "例子.中国,h1,reg-a,zhang,true,2024-01-01,2027-01-01",                               // 3
        "c.cn,h2,reg-a,corp,false,2024-01-01,2027-01-01T00:00:00+08:00",                    // 4
        "example.com,h1,reg-a,zhang,true,2024-01-01,2027-01-01",                            // 5: zone
        "a.b.cn,h1,reg-a,zhang,true,2024-01-01,2027-01-01",                                 // 6: not registrable
        "f.cn,h3,reg-a,li,true,2024-01-01,2027-01-01",                                      // 7: holder rejected
        "g.cn,h1,reg-z,zhang,true,2024-01-01,2027-01-01",                                   // 8: registrar
        "h.cn,h1,reg-a,zhang,true,2024-13-01,2023-01-01",                                   // 9: dates
        "i.cn,h2,reg-a,zhang,false,2024-01-01,2027-01-01",                                  // 10: handle of another holder
        "a.cn,h2,reg-a,corp,false,2024-01-01,2027-01-01",                                   // 11: taken
        "j.cn,h1,reg-a,zhang,false,2024-01-01,2027-01-01",                                  // 12: verified disagrees
        "a.cn,h1,reg-a,zhang,true,2024-01-01,2027-01-01");                                  // 13: duplicate: unchanged
    long headBefore = head(r);

    ImportSummary s = run(r, new RegistryImport.Files(holders, filings, domains), 5000, false);

    assertThat(s.files().get(ImportFile.HOLDERS)).isEqualTo(new ImportCounts(7, 2, 1, 4, 1));
    assertThat(s.files().get(ImportFile.FILINGS)).isEqualTo(new ImportCounts(6, 2, 0, 4, 1));
    assertThat(s.files().get(ImportFile.DOMAINS)).isEqualTo(new ImportCounts(12, 3, 1, 8, 1));
    List<String> rejects = rejects();
    assertThat(rejects.getFirst()).isEqualTo("file,line,field,problem");
    assertThat(rejects.stream().skip(1).map(l -> String.join(",", Arrays.asList(l.split(",", 4)).subList(0, 3))))
        .containsExactly(
            "holders.csv,4,identity_number", "holders.csv,5,identity_type", "holders.csv,6,holder_ref",
            "holders.csv,8,row",
            "filings.csv,4,filing_number", "filings.csv,5,domain", "filings.csv,6,filing_number",
            "filings.csv,7,filing_number",
            "domains.csv,5,domain", "domains.csv,6,domain", "domains.csv,7,holder_ref", "domains.csv,8,registrar_id",
            "domains.csv,9,created", "domains.csv,10,registrant_handle",
            "domains.csv,11,domain", "domains.csv,12,verified");
    assertThat(String.join("\n", rejects)).contains("ZONE_NOT_MANAGED", "NOT_REGISTRABLE", "DOMAIN_TAKEN",
        "the check digit does not match", "is rejected whole: see line 5")
        .doesNotContain(person(3).substring(0, 17));

    // Nothing half-written: the rejected filing has no row and covers nothing.
    assertThat(r.db.dsl().fetchCount(ICP_FILING)).isEqualTo(1);
    assertThat(r.db.dsl().fetchCount(HOLDER)).isEqualTo(2);
    assertThat(r.db.dsl().select(DOMAIN.NAME).from(DOMAIN).orderBy(DOMAIN.NAME).fetch(DOMAIN.NAME))
        .containsExactly("a.cn", "c.cn", "xn--fsqu00a.xn--fiqs8s");
    // Ordinary changesets: the decisions are what the registrar API would have produced.
    assertThat(decisions(r)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "a.cn", "ALLOW", "xn--fsqu00a.xn--fiqs8s", "ALLOW", "c.cn", "IDENTITY_UNVERIFIED"));
    assertThat(s.firstPolicyVersion()).isGreaterThan(headBefore);
    assertThat(head(r)).isEqualTo(s.lastPolicyVersion());
    // filings cover no registered name yet: only the domains batch publishes
    assertThat(r.db.dsl().fetchCount(org.serverhold.registry.schema.Tables.POLICY_CHANGESET,
        org.serverhold.registry.schema.Tables.POLICY_CHANGESET.CAUSE.like("import run %"))).isEqualTo(1);
    assertThat(r.db.dsl().fetchCount(org.serverhold.registry.schema.Tables.AUDIT_EVENT,
        org.serverhold.registry.schema.Tables.AUDIT_EVENT.ACTION.eq("import.batch"))).isEqualTo(3);
    assertThat(new org.serverhold.registry.audit.AuditVerifier().verify(r.db.dsl()).firstBrokenId()).isEmpty();
    // The API sees the import as registrations: the feed's snapshot has them.
    assertThat(r.db.dsl().fetchCount(POLICY_ENTRY, POLICY_ENTRY.KIND.eq(PolicyEntryKind.DOMAIN))).isEqualTo(3);
  }

  @Test
  void flaggedNamesAndBlacklistedHoldersAreRefusedAsAtRegistration() throws Exception {
    Registry r = registry();
    Path holders = write(tmp, "holders.csv", "holder_ref,identity_type,identity_number,name",
        "ok,RESIDENT_ID_CARD," + person(11) + ",甲", "bl,RESIDENT_ID_CARD," + person(12) + ",乙");
    run(r, new RegistryImport.Files(holders, null, null), 100, false);
    long blacklisted = r.db.dsl().select(HOLDER.ID).from(HOLDER).where(HOLDER.NAME.eq("乙")).fetchSingle(HOLDER.ID);
    r.db.dsl().insertInto(BLACKLIST_ENTRY).set(BLACKLIST_ENTRY.HOLDER_ID, blacklisted)
        .set(BLACKLIST_ENTRY.REASON, "fraud").set(BLACKLIST_ENTRY.CASE_NUMBER, "c-1").set(BLACKLIST_ENTRY.AUTHORITY, "b")
        .set(BLACKLIST_ENTRY.SOURCE, BlacklistEntrySource.MANUAL).set(BLACKLIST_ENTRY.SOURCE_REF, "m")
        .set(BLACKLIST_ENTRY.CREATED_BY, "t").execute();
    r.db.dsl().insertInto(FLAG).set(FLAG.NAME, "bad.cn").set(FLAG.SCOPE, FlagScope.EXACT).set(FLAG.AUTHORITY, "b")
        .set(FLAG.CASE_NUMBER, "c-2").set(FLAG.REASON, "r").set(FLAG.CREATED_BY, "t").execute();
    Path domains = write(tmp, "domains.csv", "domain,holder_ref,registrar_id,registrant_handle,verified,created,expires",
        "fine.cn,ok,reg-a,a,true,2024-01-01,2027-01-01",
        "bad.cn,ok,reg-a,a,true,2024-01-01,2027-01-01",
        "other.cn,bl,reg-a,b,true,2024-01-01,2027-01-01");
    ImportSummary s = run(r, new RegistryImport.Files(holders, null, domains), 100, false);
    assertThat(s.files().get(ImportFile.DOMAINS)).isEqualTo(new ImportCounts(3, 1, 0, 2, 1));
    assertThat(String.join("\n", rejects())).contains("domains.csv,3,domain,DOMAIN_FLAGGED",
        "domains.csv,4,holder_ref,HOLDER_BLACKLISTED");
    assertThat(decisions(r)).containsOnlyKeys("fine.cn");
  }

  @Test
  void killedMidwayThenResumedEndsExactlyAsAnUninterruptedRun() throws Exception {
    ImportFiles.Set files = ImportFiles.write(tmp.resolve("in"), 300, 4, 90, 37);
    Registry reference = registry();
    ImportSummary whole = run(reference, files.files(), 100, false);
    List<String> referenceRejects = rejects();
    assertThat(whole.total().rejected()).isGreaterThan(0);
    assertThat(whole.files().get(ImportFile.DOMAINS).batches()).isEqualTo(12);

    Registry crashed = registry();
    RegistryImport importer = new RegistryImport(ImportContext.of(crashed));
    var options = new RegistryImport.Options(100, false, tmp.resolve("rejects.csv"));
    // 1: dies inside the 5th batch (holders), before its commit: the batch must leave no trace.
    assertThatThrownBy(() -> importer.run(files.files(), options, ACTOR, ImportListener.NONE, (f, b) -> {
      if (b == 5) {
        throw new IllegalStateException("kill -9");
      }
    })).hasMessage("kill -9");
    // 2: resumed, dies inside a domains batch (after the filings), with a changeset half-built.
    List<Integer> seen = new ArrayList<>();
    assertThatThrownBy(() -> importer.run(files.files(), options, ACTOR, ImportListener.NONE, (f, b) -> {
      seen.add(b);
      if (f == ImportFile.DOMAINS && b == 20) {
        throw new IllegalStateException("kill -9");
      }
    })).hasMessage("kill -9");
    assertThat(seen.getFirst()).isEqualTo(5); // resumed at the batch that died, not before or after
    // 3: resumed again, to the end.
    ImportSummary resumed = importer.run(files.files(), options, ACTOR, ImportListener.NONE);
    assertThat(resumed.resumed()).isTrue();
    assertThat(resumed.runId()).isEqualTo(whole.runId());
    assertThat(resumed.files()).isEqualTo(whole.files());
    assertThat(resumed.lastPolicyVersion()).isEqualTo(whole.lastPolicyVersion());

    var expected = state(reference);
    var actual = state(crashed);
    for (String table : expected.keySet()) {
      assertThat(actual.get(table)).as(table).containsExactlyElementsOf(expected.get(table));
    }
    assertThat(rejects()).isEqualTo(referenceRejects);
  }

  @Test
  void reRunsChangeNothing() throws Exception {
    ImportFiles.Set files = ImportFiles.write(tmp.resolve("in"), 50, 3, 90, 11);
    Registry r = registry();
    ImportSummary first = run(r, files.files(), 40, false);
    List<String> firstRejects = rejects();
    var before = state(r);
    long head = head(r);

    ImportSummary again = run(r, files.files(), 40, false);
    assertThat(again.alreadyDone()).isTrue();
    assertThat(again.rowsThisSession()).isZero();
    assertThat(state(r)).isEqualTo(before);

    ImportSummary restarted = run(r, files.files(), 40, true);
    assertThat(restarted.runId()).isNotEqualTo(first.runId());
    assertThat(restarted.total().imported()).isZero();
    assertThat(restarted.total().rejected()).isEqualTo(first.total().rejected());
    assertThat(restarted.total().unchanged()).isEqualTo(first.total().imported() + first.total().unchanged());
    assertThat(head(r)).isEqualTo(head); // no decision changed: no changeset
    assertThat(rejects()).isEqualTo(firstRejects);
    assertThat(registryState(r)).isEqualTo(registryState(before));
  }

  @Test
  void malformedFilesAreRefusedWithTheirName() throws Exception {
    Registry r = registry();
    Path bad = write(tmp, "holders.csv", "holder_ref,identity_type,number,name", "h1,PASSPORT,E1234567,x");
    assertThatThrownBy(() -> run(r, new RegistryImport.Files(bad, null, null), 10, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holders.csv").hasMessageContaining("number");
  }

  // ------------------------------------------------------------------ helpers

  static long head(Registry r) {
    return r.db.dsl().select(POLICY_HEAD.VERSION).from(POLICY_HEAD).fetchSingle(POLICY_HEAD.VERSION);
  }

  static Map<String, String> decisions(Registry r) {
    return r.db.dsl().select(POLICY_ENTRY.NAME, POLICY_ENTRY.REASON).from(POLICY_ENTRY)
        .where(POLICY_ENTRY.KIND.eq(PolicyEntryKind.DOMAIN)).fetch()
        .stream().collect(Collectors.toMap(x -> x.value1(), x -> x.value2().name()));
  }

  /** Everything an import writes, by natural keys (ids and wall-clock times differ between databases). */
  static Map<String, List<String>> state(Registry r) {
    String[][] queries = {
      {"holder", "select identity_type, hex(fingerprint), number_last4, name, offence_count from holder order by 2"},
      {"registrant", "select g.registrar_id, g.handle, hex(h.fingerprint), g.verified_at is not null, g.evidence_ref"
          + " from registrant g join holder h on h.id = g.holder_id order by 1, 2"},
      {"domain", "select d.name, d.unicode_name, d.zone, d.registrar_id, g.handle, hex(h.fingerprint), d.state,"
          + " d.active_name, d.created_at, d.expires_at from domain d join registrant g on g.id = d.registrant_id"
          + " join holder h on h.id = d.holder_id order by 1"},
      {"hold", "select d.name, x.reason, x.reference, x.released_at from domain_hold x join domain d on d.id = x.domain_id"
          + " order by 1, 2"},
      {"filing", "select filing_number, main_number, sponsor_name, sponsor_type, service_type, service_name,"
          + " access_provider, status from icp_filing order by 1"},
      {"filing_domain", "select f.filing_number, x.domain_name from icp_filing_domain x join icp_filing f"
          + " on f.id = x.filing_id order by 1, 2"},
      {"policy_entry", "select kind, name, reason, reference, version from policy_entry order by 1, 2"},
      {"policy_changeset", "select version, cause, change_count, part_count from policy_changeset order by 1"},
      {"audit", "select actor, action, target, request_id, after_state from audit_event order by id"},
      {"import_run", "select id, files_sha256, state from import_run order by id"},
      {"import_progress", "select run_id, file, committed_record, committed_line, rows_read, imported, unchanged,"
          + " rejected, batches from import_progress order by 1, 2"},
      {"import_ref", "select r.run_id, r.ref, hex(h.fingerprint) from import_holder_ref r join holder h"
          + " on h.id = r.holder_id order by 1, 2"},
      {"import_reject", "select run_id, file, line, field, problem from import_reject order by 1, 2, 3, 4, 5"},
    };
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (String[] q : queries) {
      out.put(q[0], r.db.dsl().fetch(q[1]).stream().map(rec -> Arrays.toString(rec.intoArray())).toList());
    }
    // Changeset parts as their content: the commit time inside them is wall-clock.
    out.put("policy_part", r.db.dsl().fetch("select version, part, body from policy_changeset_part order by 1, 2")
        .stream().map(rec -> {
          try {
            var c = org.serverhold.api.v1.Changeset.parseFrom((byte[]) rec.get(2)).toBuilder().clearCommitted().build();
            return rec.get(0) + "/" + rec.get(1) + ": " + c.toString().replace('\n', ' ');
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
          }
        }).toList());
    return out;
  }

  /** The registry's own tables, without the import's bookkeeping and the audit log. */
  static Map<String, List<String>> registryState(Registry r) {
    return registryState(state(r));
  }

  static Map<String, List<String>> registryState(Map<String, List<String>> all) {
    Map<String, List<String>> out = new java.util.LinkedHashMap<>(all);
    out.keySet().removeIf(k -> k.startsWith("import") || k.equals("audit"));
    return out;
  }
}
