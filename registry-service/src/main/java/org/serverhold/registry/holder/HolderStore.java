package org.serverhold.registry.holder;

import static org.serverhold.registry.schema.Tables.HOLDER;

import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.schema.enums.HolderIdentityType;
import org.serverhold.registry.schema.tables.records.HolderRecord;

/**
 * Holders by fingerprint. Row locks on the holder order everything that concerns one person:
 * registrations and transfers take it shared, takedowns and blacklisting take it exclusive, so a
 * registration racing a takedown either commits before it (and is cascaded) or sees the blacklist.
 */
public final class HolderStore {
  private final HolderKeys keys;
  private volatile FederatedIdentities federation = FederatedIdentities.NONE;

  public HolderStore(HolderKeys keys) {
    this.keys = keys;
  }

  /** Set once by the composition root when a federation key is configured. */
  public void federate(FederatedIdentities federation) {
    this.federation = federation;
  }

  public HolderKeys keys() {
    return keys;
  }

  /** Finds or creates the holder of {@code identity}; a concurrent creator wins quietly. */
  public Holder findOrCreate(DSLContext tx, Identity identity) {
    byte[] fingerprint = keys.fingerprint(identity.type(), identity.number());
    Optional<Holder> existing = byFingerprint(tx, fingerprint);
    if (existing.isPresent()) {
      return existing.get();
    }
    FederatedIdentities fed = federation;
    byte[] federationFingerprint = fed.fingerprint(identity.type(), identity.number());
    int inserted = tx.insertInto(HOLDER)
        .set(HOLDER.IDENTITY_TYPE, HolderIdentityType.valueOf(identity.type().name()))
        .set(HOLDER.FINGERPRINT, fingerprint)
        .set(HOLDER.FEDERATION_FINGERPRINT, federationFingerprint)
        .set(HOLDER.NUMBER_CIPHERTEXT, keys.encrypt(identity.number()))
        .set(HOLDER.NUMBER_LAST4, Masking.lastChars(identity.number()))
        .set(HOLDER.NAME, identity.name())
        .onDuplicateKeyIgnore()
        .execute();
    Holder created = byFingerprint(tx, fingerprint).orElseThrow();
    if (inserted > 0 && federationFingerprint != null) {
      fed.holderCreated(tx, created.id(), federationFingerprint);
    }
    return created;
  }

  public Optional<Holder> find(DSLContext tx, Identity identity) {
    return byFingerprint(tx, keys.fingerprint(identity.type(), identity.number()));
  }

  public Optional<Holder> byFingerprint(DSLContext tx, byte[] fingerprint) {
    return tx.selectFrom(HOLDER).where(HOLDER.FINGERPRINT.eq(fingerprint)).fetchOptional().map(HolderStore::toHolder);
  }

  /** The holder known here under a federation fingerprint, if any. */
  public Optional<Holder> byFederationFingerprint(DSLContext tx, byte[] federationFingerprint) {
    return tx.selectFrom(HOLDER).where(HOLDER.FEDERATION_FINGERPRINT.eq(federationFingerprint)).fetchOptional()
        .map(HolderStore::toHolder);
  }

  /** The fingerprint of {@code identity} under the federation key, or null without one. */
  public byte[] federationFingerprint(Identity identity) {
    return federation.fingerprint(identity.type(), identity.number());
  }

  public Optional<Holder> byId(DSLContext tx, long id) {
    return tx.selectFrom(HOLDER).where(HOLDER.ID.eq(id)).fetchOptional().map(HolderStore::toHolder);
  }

  /** Shared lock: many registrations of one holder may run together, a takedown waits for them. */
  public void lockShared(DSLContext tx, long holderId) {
    tx.select(HOLDER.ID).from(HOLDER).where(HOLDER.ID.eq(holderId)).forShare().fetch();
  }

  /** Exclusive lock: taken by whatever changes the holder's standing (blacklist, takedown). */
  public Holder lockExclusive(DSLContext tx, long holderId) {
    return toHolder(tx.selectFrom(HOLDER).where(HOLDER.ID.eq(holderId)).forUpdate().fetchSingle());
  }

  /** The full identity, for a regulator only. */
  public Identity reveal(DSLContext tx, long holderId) {
    HolderRecord r = tx.selectFrom(HOLDER).where(HOLDER.ID.eq(holderId)).fetchSingle();
    return new Identity(IdentityType.valueOf(r.getIdentityType().name()), keys.decrypt(r.getNumberCiphertext()), r.getName());
  }

  static Holder toHolder(HolderRecord r) {
    return new Holder(r.getId(), IdentityType.valueOf(r.getIdentityType().name()), r.getNumberLast4(), r.getName(),
        r.getOffenceCount());
  }
}
