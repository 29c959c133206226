package org.serverhold.registry.holder;

import static org.serverhold.registry.schema.Tables.REGISTRANT;

import java.time.Instant;
import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.schema.tables.records.RegistrantRecord;

/** Registrars' contact records, always scoped to one registrar. */
public final class RegistrantStore {
  public Optional<Registrant> find(DSLContext tx, String registrarId, String handle) {
    return tx.selectFrom(REGISTRANT)
        .where(REGISTRANT.REGISTRAR_ID.eq(registrarId), REGISTRANT.HANDLE.eq(handle))
        .fetchOptional()
        .map(RegistrantStore::toRegistrant);
  }

  public Optional<Registrant> lock(DSLContext tx, String registrarId, String handle) {
    return tx.selectFrom(REGISTRANT)
        .where(REGISTRANT.REGISTRAR_ID.eq(registrarId), REGISTRANT.HANDLE.eq(handle))
        .forUpdate()
        .fetchOptional()
        .map(RegistrantStore::toRegistrant);
  }

  public Optional<Registrant> byId(DSLContext tx, long id) {
    return tx.selectFrom(REGISTRANT).where(REGISTRANT.ID.eq(id)).fetchOptional().map(RegistrantStore::toRegistrant);
  }

  /** Creates the record; a concurrent creator of the same handle makes this a retry. */
  public Registrant create(DSLContext tx, String registrarId, String handle, long holderId, String email, String phone) {
    int inserted = tx.insertInto(REGISTRANT)
        .set(REGISTRANT.REGISTRAR_ID, registrarId)
        .set(REGISTRANT.HANDLE, handle)
        .set(REGISTRANT.HOLDER_ID, holderId)
        .set(REGISTRANT.EMAIL, emptyToNull(email))
        .set(REGISTRANT.PHONE, emptyToNull(phone))
        .onDuplicateKeyIgnore()
        .execute();
    if (inserted == 0) {
      throw new org.serverhold.registry.database.Database.RetryTransaction("registrant created concurrently");
    }
    return find(tx, registrarId, handle).orElseThrow();
  }

  public void markVerified(DSLContext tx, long registrantId, String evidenceRef, Instant at) {
    tx.update(REGISTRANT)
        .set(REGISTRANT.VERIFIED_AT, Timestamps.toDb(at))
        .set(REGISTRANT.EVIDENCE_REF, evidenceRef)
        .where(REGISTRANT.ID.eq(registrantId))
        .execute();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  static Registrant toRegistrant(RegistrantRecord r) {
    return new Registrant(r.getId(), r.getRegistrarId(), r.getHandle(), r.getHolderId(), r.getEmail(), r.getPhone(),
        Timestamps.fromDb(r.getVerifiedAt()));
  }
}
