package org.serverhold.registry.importer;

import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.schema.Tables.IMPORT_HOLDER_REF;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.Masking;
import org.serverhold.registry.schema.enums.HolderIdentityType;

/**
 * holders.csv: each row names an identity; the holder is found by its fingerprint or created
 * (number encrypted, as {@code HolderStore.findOrCreate} does), and the row's holder_ref is
 * remembered for domains.csv. A holder_ref already given to another identity is a reject.
 */
final class HolderBatch {
  private final ImportRules rules;
  private final HolderKeys keys;

  HolderBatch(ImportRules rules, HolderKeys keys) {
    this.rules = rules;
    this.keys = keys;
  }

  BatchOutcome run(DSLContext tx, long runId, List<CsvRows.Row> rows) {
    List<Reject> rejects = new ArrayList<>();
    List<ImportRules.HolderRow> good = new ArrayList<>();
    for (CsvRows.Row row : rows) {
      ImportRules.HolderRow h = rules.holder(row, rejects);
      if (h != null) {
        good.add(h);
      }
    }
    List<String> refs = good.stream().map(ImportRules.HolderRow::ref).distinct().toList();
    Map<String, String> refTaken = new HashMap<>(); // ref -> hex fingerprint of the holder it names
    if (!refs.isEmpty()) {
      tx.select(IMPORT_HOLDER_REF.REF, HOLDER.FINGERPRINT).from(IMPORT_HOLDER_REF)
          .join(HOLDER).on(HOLDER.ID.eq(IMPORT_HOLDER_REF.HOLDER_ID))
          .where(IMPORT_HOLDER_REF.RUN_ID.eq(runId), IMPORT_HOLDER_REF.REF.in(refs))
          .forEach(r -> refTaken.put(r.value1(), hex(r.value2())));
    }
    Map<String, byte[]> fingerprints = new LinkedHashMap<>();
    List<String> rowFingerprint = new ArrayList<>(good.size());
    for (var h : good) {
      byte[] fp = keys.fingerprint(h.identity().type(), h.identity().number());
      rowFingerprint.add(hex(fp));
      fingerprints.putIfAbsent(hex(fp), fp);
    }
    Map<String, Long> holderIds = new HashMap<>();
    if (!fingerprints.isEmpty()) {
      tx.select(HOLDER.ID, HOLDER.FINGERPRINT).from(HOLDER).where(HOLDER.FINGERPRINT.in(fingerprints.values()))
          .forEach(r -> holderIds.put(hex(r.value2()), r.value1()));
    }
    Map<String, Identity> create = new LinkedHashMap<>();
    Map<String, String> newRefs = new LinkedHashMap<>(); // ref -> fingerprint
    int imported = 0;
    int unchanged = 0;
    for (int i = 0; i < good.size(); i++) {
      var h = good.get(i);
      String fp = rowFingerprint.get(i);
      String taken = refTaken.get(h.ref());
      if (taken != null) {
        if (taken.equals(fp)) {
          unchanged++;
        } else {
          rejects.add(new Reject(ImportFile.HOLDERS, h.line(), "holder_ref",
              "already names another identity in this import"));
        }
        continue;
      }
      refTaken.put(h.ref(), fp);
      newRefs.put(h.ref(), fp);
      if (holderIds.containsKey(fp) || create.containsKey(fp)) {
        unchanged++; // the holder is on record (or made by an earlier row): this row adds only its ref
      } else {
        create.put(fp, h.identity());
        imported++;
      }
    }
    if (!create.isEmpty()) {
      var insert = tx.insertInto(HOLDER, HOLDER.IDENTITY_TYPE, HOLDER.FINGERPRINT, HOLDER.NUMBER_CIPHERTEXT,
          HOLDER.NUMBER_LAST4, HOLDER.NAME);
      for (var e : create.entrySet()) {
        Identity id = e.getValue();
        insert = insert.values(HolderIdentityType.valueOf(id.type().name()), fingerprints.get(e.getKey()),
            keys.encrypt(id.number()), Masking.lastChars(id.number()), id.name());
      }
      int inserted = insert.onDuplicateKeyIgnore().execute();
      if (inserted != create.size()) {
        throw new Database.RetryTransaction("a holder of this batch was created concurrently");
      }
      List<byte[]> created = create.keySet().stream().map(fingerprints::get).toList();
      tx.select(HOLDER.ID, HOLDER.FINGERPRINT).from(HOLDER).where(HOLDER.FINGERPRINT.in(created))
          .forEach(r -> holderIds.put(hex(r.value2()), r.value1()));
    }
    if (!newRefs.isEmpty()) {
      var insert = tx.insertInto(IMPORT_HOLDER_REF, IMPORT_HOLDER_REF.RUN_ID, IMPORT_HOLDER_REF.REF,
          IMPORT_HOLDER_REF.HOLDER_ID);
      for (var e : newRefs.entrySet()) {
        insert = insert.values(runId, e.getKey(), holderIds.get(e.getValue()));
      }
      insert.execute();
    }
    return new BatchOutcome(BatchOutcome.count(rows.size(), imported, unchanged, rejects), rejects, List.of());
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
