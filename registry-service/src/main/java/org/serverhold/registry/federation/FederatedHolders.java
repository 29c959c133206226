package org.serverhold.registry.federation;

import static org.serverhold.registry.schema.Tables.FEDERATION_ENTRY;
import static org.serverhold.registry.schema.Tables.FEDERATION_IDENTITY;
import static org.serverhold.registry.schema.Tables.HOLDER;

import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;
import org.jooq.DSLContext;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.blacklist.BlacklistEntry;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.FederatedIdentities;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.IdentityType;
import org.serverhold.registry.schema.enums.FederationEntryState;

/**
 * Holders under the federation key: computes the fingerprint stored on each holder, adopts
 * entries imported before a holder existed here ("shadow" entries) when it is created, answers
 * whether an unknown identity is refused by such entries, and fills in fingerprints of holders
 * created before the key was configured.
 *
 * <p>An import and the creation of a holder with the same fingerprint both lock that
 * fingerprint's {@code federation_identity} row, so one of them sees the other's commit: either
 * the import finds the holder, or the creation finds the imported entry.
 */
public final class FederatedHolders implements FederatedIdentities, BlacklistStore.ShadowEntries {
  private static final Logger LOG = Logger.getLogger(FederatedHolders.class.getName());

  private final FederationKey key;
  private final BlacklistEntries entries;
  private final java.time.Clock clock;

  public FederatedHolders(FederationKey key, BlacklistEntries entries, java.time.Clock clock) {
    this.key = key;
    this.entries = entries;
    this.clock = clock;
  }

  @Override
  public byte[] fingerprint(IdentityType type, String normalizedNumber) {
    return key.fingerprint(type, normalizedNumber);
  }

  @Override
  public void holderCreated(DSLContext tx, long holderId, byte[] federationFingerprint) {
    lockIdentity(tx, federationFingerprint);
    adopt(tx, holderId, federationFingerprint, clock.instant());
  }

  @Override
  public List<String> peersFor(DSLContext tx, Identity identity, Instant now) {
    return tx.selectDistinct(FEDERATION_ENTRY.PEER_ID).from(FEDERATION_ENTRY)
        .where(FEDERATION_ENTRY.FINGERPRINT.eq(fingerprint(identity.type(), identity.number())), inForce(now))
        .orderBy(FEDERATION_ENTRY.PEER_ID).fetch(FEDERATION_ENTRY.PEER_ID);
  }

  static org.jooq.Condition inForce(Instant now) {
    return FEDERATION_ENTRY.STATE.eq(FederationEntryState.IN_FORCE)
        .and(FEDERATION_ENTRY.EXPIRES_AT.isNull().or(FEDERATION_ENTRY.EXPIRES_AT.gt(Timestamps.toDb(now))));
  }

  /** Takes the fingerprint's lock row (creating it), held until commit. */
  static void lockIdentity(DSLContext tx, byte[] fingerprint) {
    tx.insertInto(FEDERATION_IDENTITY).set(FEDERATION_IDENTITY.FINGERPRINT, fingerprint).onDuplicateKeyIgnore().execute();
    tx.select(FEDERATION_IDENTITY.FINGERPRINT).from(FEDERATION_IDENTITY)
        .where(FEDERATION_IDENTITY.FINGERPRINT.eq(fingerprint)).forUpdate().fetch();
  }

  /** Links imported entries of this fingerprint that know no holder yet; those in force blacklist it. */
  int adopt(DSLContext tx, long holderId, byte[] fingerprint, Instant now) {
    var orphans = tx.selectFrom(FEDERATION_ENTRY)
        .where(FEDERATION_ENTRY.FINGERPRINT.eq(fingerprint), FEDERATION_ENTRY.HOLDER_ID.isNull())
        .orderBy(FEDERATION_ENTRY.ID).forUpdate().fetch();
    int adopted = 0;
    for (var e : orphans) {
      Long entryId = null;
      if (e.getState() == FederationEntryState.IN_FORCE) {
        entryId = entries.insert(tx, holderId, e.getReason(), e.getCaseNumber(), e.getAuthority(),
            BlacklistEntry.Source.PEER, ImportChangeFlow.sourceRef(e.getPeerId(), e.getSourceEntryRef()), e.getPeerId(),
            false, "peer:" + e.getPeerId(), now, Timestamps.fromDb(e.getExpiresAt()));
        adopted++;
      }
      tx.update(FEDERATION_ENTRY).set(FEDERATION_ENTRY.HOLDER_ID, holderId)
          .set(FEDERATION_ENTRY.BLACKLIST_ENTRY_ID, entryId).where(FEDERATION_ENTRY.ID.eq(e.getId())).execute();
    }
    return adopted;
  }

  /**
   * Fills in the federation fingerprint of holders created before the key was configured (the
   * number is decrypted in memory only), and adopts entries already imported for them.
   */
  public int backfill(Database db, HolderStore holders) {
    int done = 0;
    while (true) {
      List<Long> ids = db.dsl().select(HOLDER.ID).from(HOLDER).where(HOLDER.FEDERATION_FINGERPRINT.isNull())
          .orderBy(HOLDER.ID).limit(500).fetch(HOLDER.ID);
      if (ids.isEmpty()) {
        break;
      }
      for (long id : ids) {
        db.run(tx -> {
          Identity identity = holders.reveal(tx, id);
          byte[] fp = fingerprint(identity.type(), identity.number());
          lockIdentity(tx, fp);
          tx.update(HOLDER).set(HOLDER.FEDERATION_FINGERPRINT, fp)
              .where(HOLDER.ID.eq(id), HOLDER.FEDERATION_FINGERPRINT.isNull()).execute();
          adopt(tx, id, fp, clock.instant());
        });
        done++;
      }
    }
    if (done > 0) {
      int n = done;
      LOG.info(() -> "federation: fingerprinted " + n + " existing holders");
    }
    return done;
  }
}
