package org.serverhold.registry.federation;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.FEDERATION_ENTRY;
import static org.serverhold.registry.schema.Tables.FEDERATION_PEER_STATE;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.serverhold.api.v1.BlacklistChange;
import org.serverhold.api.v1.BlacklistChangeKind;
import org.serverhold.api.v1.ExportedSource;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.blacklist.BlacklistEntry;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.DomainHoldReason;
import org.serverhold.registry.schema.enums.FederationEntryIdentityType;
import org.serverhold.registry.schema.enums.FederationEntryMode;
import org.serverhold.registry.schema.enums.FederationEntrySourceKind;
import org.serverhold.registry.schema.enums.FederationEntryState;
import org.serverhold.registry.schema.tables.records.FederationEntryRecord;

/**
 * Applies one change from a peer's blacklist, in one transaction with the move of the peer's
 * version: a change is applied exactly once, however often it is received (a replay, a second
 * replica importing the same peer) — versions at or below the stored one are skipped, and a
 * version that skips ahead is refused (a gap means something was lost).
 *
 * <p>ADD: records the entry with its provenance. In force (modes record and suspend), it
 * blacklists the holder here, matched by federation fingerprint; an unknown holder is remembered
 * by fingerprint and refused when it first appears. Suspend also holds every live domain of the
 * holder with a PEER_DISPOSAL hold naming the peer's order, published to the policy feed. Review
 * queues it with nothing in force. LIFT: lifts the imported entry and releases exactly the holds
 * it placed; the holder stays blacklisted while any other entry (local or another peer's) stands.
 * Every change is audited; no identity number is known here to leak.
 */
public final class ImportChangeFlow {
  /** A change that cannot be applied as sent (a gap, or a version the peer should not send). */
  public static final class PeerProtocolException extends RuntimeException {
    PeerProtocolException(String message) {
      super(message, null, false, false);
    }
  }

  /** What happened to one change. */
  public enum Outcome { APPLIED, DUPLICATE }

  private final Database db;
  private final HolderStore holders;
  private final BlacklistEntries entries;
  private final PolicyLedger policy;
  private final AuditLog audit;
  private final Clock clock;

  public ImportChangeFlow(Database db, HolderStore holders, BlacklistEntries entries, PolicyLedger policy,
      AuditLog audit, Clock clock) {
    this.db = db;
    this.holders = holders;
    this.entries = entries;
    this.policy = policy;
    this.audit = audit;
    this.clock = clock;
  }

  static String sourceRef(String peerId, String sourceEntryRef) {
    return peerId + "/" + sourceEntryRef;
  }

  static Principal actor(String peerId) {
    return new Principal("peer:" + peerId, Role.PEER, null, 0);
  }

  /** Makes sure the peer has a state row (version 0 the first time). */
  public void ensurePeer(PeerConfig peer) {
    db.run(tx -> {
      tx.insertInto(FEDERATION_PEER_STATE)
          .set(FEDERATION_PEER_STATE.PEER_ID, peer.id())
          .set(FEDERATION_PEER_STATE.TARGET, peer.target())
          .set(FEDERATION_PEER_STATE.MODE, peer.mode().label())
          .set(FEDERATION_PEER_STATE.LAST_VERSION, 0L)
          .set(FEDERATION_PEER_STATE.PEER_HEAD_VERSION, 0L)
          .onDuplicateKeyIgnore().execute();
      tx.update(FEDERATION_PEER_STATE).set(FEDERATION_PEER_STATE.TARGET, peer.target())
          .set(FEDERATION_PEER_STATE.MODE, peer.mode().label())
          .where(FEDERATION_PEER_STATE.PEER_ID.eq(peer.id())).execute();
    });
  }

  public long lastVersion(String peerId) {
    return db.dsl().select(FEDERATION_PEER_STATE.LAST_VERSION).from(FEDERATION_PEER_STATE)
        .where(FEDERATION_PEER_STATE.PEER_ID.eq(peerId)).fetchOptional(FEDERATION_PEER_STATE.LAST_VERSION).orElse(0L);
  }

  public Outcome apply(PeerConfig peer, BlacklistChange c) {
    return db.transaction(tx -> {
      long last = tx.select(FEDERATION_PEER_STATE.LAST_VERSION).from(FEDERATION_PEER_STATE)
          .where(FEDERATION_PEER_STATE.PEER_ID.eq(peer.id())).forUpdate().fetchSingle(FEDERATION_PEER_STATE.LAST_VERSION);
      if (c.getVersion() <= last) {
        return Outcome.DUPLICATE;
      }
      if (c.getVersion() != last + 1) {
        throw new PeerProtocolException("peer " + peer.id() + " sent version " + c.getVersion() + " after " + last);
      }
      Instant now = clock.instant();
      Map<String, Object> after = c.getKind() == BlacklistChangeKind.BLACKLIST_ADD ? add(tx, peer, c, now)
          : lift(tx, peer, c, now);
      tx.update(FEDERATION_PEER_STATE)
          .set(FEDERATION_PEER_STATE.LAST_VERSION, c.getVersion())
          .set(FEDERATION_PEER_STATE.PEER_HEAD_VERSION, Math.max(c.getHeadVersion(), c.getVersion()))
          .set(FEDERATION_PEER_STATE.LAST_APPLIED_MS, now.toEpochMilli())
          .where(FEDERATION_PEER_STATE.PEER_ID.eq(peer.id())).execute();
      after.put("peer", peer.id());
      after.put("peer_version", c.getVersion());
      after.put("source_registry", c.getSourceRegistryId());
      after.put("source_entry", c.getSourceEntryRef());
      after.put("source_order", c.getSourceOrder());
      after.put("case_number", c.getCaseNumber());
      after.put("fingerprint", prefix(c.getFederationFingerprint().toByteArray()));
      audit.append(tx, new AuditEntry(actor(peer.id()), "", c.getKind() == BlacklistChangeKind.BLACKLIST_ADD
          ? "federation.import" : "federation.lift", "federation_entry",
          sourceRef(peer.id(), c.getSourceEntryRef()), c.getAuthority(), null, Json.of(after)));
      return Outcome.APPLIED;
    });
  }

  private Map<String, Object> add(DSLContext tx, PeerConfig peer, BlacklistChange c, Instant now) {
    Map<String, Object> after = new LinkedHashMap<>();
    byte[] fp = c.getFederationFingerprint().toByteArray();
    FederatedHolders.lockIdentity(tx, fp);
    var existing = tx.selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.PEER_ID.eq(peer.id()),
        FEDERATION_ENTRY.SOURCE_ENTRY_REF.eq(c.getSourceEntryRef())).fetchOptional();
    if (existing.isPresent()) {
      after.put("outcome", "already imported as F" + existing.get().getId());
      return after;
    }
    Optional<Holder> holder = holders.byFederationFingerprint(tx, fp);
    holder.ifPresent(h -> holders.lockExclusive(tx, h.id()));
    boolean review = peer.mode() == DisposalMode.REVIEW;
    Instant expires = c.hasExpires() ? Instant.ofEpochSecond(c.getExpires().getSeconds(), c.getExpires().getNanos()) : null;
    tx.insertInto(FEDERATION_ENTRY)
        .set(FEDERATION_ENTRY.PEER_ID, peer.id())
        .set(FEDERATION_ENTRY.SOURCE_REGISTRY_ID, c.getSourceRegistryId())
        .set(FEDERATION_ENTRY.SOURCE_ENTRY_REF, c.getSourceEntryRef())
        .set(FEDERATION_ENTRY.SOURCE_KIND, c.getSource() == ExportedSource.EXPORTED_TAKEDOWN
            ? FederationEntrySourceKind.TAKEDOWN : FederationEntrySourceKind.MANUAL)
        .set(FEDERATION_ENTRY.SOURCE_ORDER, c.getSourceOrder())
        .set(FEDERATION_ENTRY.FINGERPRINT, fp)
        .set(FEDERATION_ENTRY.IDENTITY_TYPE, FederationEntryIdentityType.valueOf(c.getIdentityType().name()))
        .set(FEDERATION_ENTRY.REASON, c.getReason())
        .set(FEDERATION_ENTRY.AUTHORITY, c.getAuthority())
        .set(FEDERATION_ENTRY.CASE_NUMBER, c.getCaseNumber())
        .set(FEDERATION_ENTRY.MODE, FederationEntryMode.valueOf(peer.mode().name()))
        .set(FEDERATION_ENTRY.STATE, review ? FederationEntryState.PENDING_REVIEW : FederationEntryState.IN_FORCE)
        .set(FEDERATION_ENTRY.HOLDER_ID, holder.map(Holder::id).orElse(null))
        .set(FEDERATION_ENTRY.SOURCE_VERSION, c.getVersion())
        .set(FEDERATION_ENTRY.SOURCE_TIME_MS, c.getTime().getSeconds() * 1000 + c.getTime().getNanos() / 1_000_000)
        .set(FEDERATION_ENTRY.EXPIRES_AT, Timestamps.toDb(expires))
        .set(FEDERATION_ENTRY.IMPORTED_AT, Timestamps.toDb(now))
        .execute();
    long id = tx.lastID().longValue();
    after.put("entry", "F" + id);
    after.put("holder", holder.map(Holder::publicId).orElse("not known here"));
    after.put("mode", peer.mode().label());
    if (review) {
      after.put("state", "PENDING_REVIEW");
      return after;
    }
    after.put("state", "IN_FORCE");
    after.put("domains_held", enforce(tx, id, peer.mode() == DisposalMode.SUSPEND, now));
    return after;
  }

  /**
   * Puts an imported entry in force: blacklists its holder (when known here) and, for a
   * suspending disposal, holds the holder's live domains. Returns how many domains were held.
   * The entry's holder, when known, must be locked exclusively by the caller.
   */
  int enforce(DSLContext tx, long federationEntryId, boolean suspend, Instant now) {
    FederationEntryRecord e = tx.selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.ID.eq(federationEntryId)).fetchSingle();
    if (e.getHolderId() == null) {
      return 0; // a shadow entry: refuses the identity when it first appears here
    }
    if (e.getBlacklistEntryId() == null) {
      long entry = entries.insert(tx, e.getHolderId(), e.getReason(), e.getCaseNumber(), e.getAuthority(),
          BlacklistEntry.Source.PEER, sourceRef(e.getPeerId(), e.getSourceEntryRef()), e.getPeerId(), false,
          "peer:" + e.getPeerId(), now, Timestamps.fromDb(e.getExpiresAt()));
      tx.update(FEDERATION_ENTRY).set(FEDERATION_ENTRY.BLACKLIST_ENTRY_ID, entry)
          .where(FEDERATION_ENTRY.ID.eq(federationEntryId)).execute();
    }
    if (!suspend) {
      return 0;
    }
    String reference = truncate("peer " + e.getPeerId() + " " + e.getSourceOrder() + " case " + e.getCaseNumber(), 128);
    int held = tx.insertInto(DOMAIN_HOLD, DOMAIN_HOLD.DOMAIN_ID, DOMAIN_HOLD.REASON, DOMAIN_HOLD.REFERENCE,
            DOMAIN_HOLD.FEDERATION_ENTRY_ID, DOMAIN_HOLD.CREATED_AT)
        .select(DSL.select(DOMAIN.ID, DSL.val(DomainHoldReason.PEER_DISPOSAL), DSL.val(reference),
                DSL.val(federationEntryId), DSL.val(Timestamps.toDb(now)))
            .from(DOMAIN).where(DOMAIN.HOLDER_ID.eq(e.getHolderId()), DOMAIN.ACTIVE_NAME.isNotNull()))
        .execute();
    tx.update(FEDERATION_ENTRY).set(FEDERATION_ENTRY.HOLDS_APPLIED, true)
        .where(FEDERATION_ENTRY.ID.eq(federationEntryId)).execute();
    if (held > 0) {
      List<String> names = tx.select(DOMAIN.NAME).from(DOMAIN)
          .where(DOMAIN.HOLDER_ID.eq(e.getHolderId()), DOMAIN.ACTIVE_NAME.isNotNull()).fetch(DOMAIN.NAME);
      policy.domainsChanged(tx, names, "peer disposal " + e.getPeerId() + " " + e.getSourceOrder());
    }
    return held;
  }

  private Map<String, Object> lift(DSLContext tx, PeerConfig peer, BlacklistChange c, Instant now) {
    Map<String, Object> after = new LinkedHashMap<>();
    var found = tx.selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.PEER_ID.eq(peer.id()),
        FEDERATION_ENTRY.SOURCE_ENTRY_REF.eq(c.getSourceEntryRef())).fetchOptional();
    if (found.isEmpty()) {
      after.put("outcome", "no such imported entry");
      return after;
    }
    FederationEntryRecord e = found.get();
    if (e.getHolderId() != null) {
      holders.lockExclusive(tx, e.getHolderId());
    }
    e = tx.selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.ID.eq(e.getId())).forUpdate().fetchSingle();
    after.put("entry", "F" + e.getId());
    after.put("state_before", e.getState().name());
    if (e.getState() == FederationEntryState.LIFTED) {
      after.put("outcome", "already lifted");
      return after;
    }
    int released = release(tx, e, "lifted at " + c.getSourceRegistryId(), now);
    tx.update(FEDERATION_ENTRY).set(FEDERATION_ENTRY.STATE, FederationEntryState.LIFTED)
        .set(FEDERATION_ENTRY.LIFTED_AT, Timestamps.toDb(now)).where(FEDERATION_ENTRY.ID.eq(e.getId())).execute();
    after.put("state", "LIFTED");
    after.put("holds_released", released);
    if (e.getHolderId() != null) {
      after.put("holder", "H" + e.getHolderId());
      after.put("holder_still_blacklisted", tx.fetchExists(BLACKLIST_ENTRY, BLACKLIST_ENTRY.HOLDER_ID.eq(e.getHolderId()),
          org.serverhold.registry.blacklist.BlacklistStore.inForce(now)));
    }
    return after;
  }

  /** Lifts the local copy of an imported entry and releases the holds it placed; returns how many. */
  int release(DSLContext tx, FederationEntryRecord e, String why, Instant now) {
    if (e.getBlacklistEntryId() != null) {
      entries.lift(tx, BLACKLIST_ENTRY.ID.eq(e.getBlacklistEntryId()), "peer:" + e.getPeerId(), why, now);
    }
    List<String> names = tx.select(DOMAIN.NAME).from(DOMAIN_HOLD).join(DOMAIN).on(DOMAIN.ID.eq(DOMAIN_HOLD.DOMAIN_ID))
        .where(DOMAIN_HOLD.FEDERATION_ENTRY_ID.eq(e.getId()), DOMAIN_HOLD.RELEASED_AT.isNull(),
            DOMAIN.ACTIVE_NAME.isNotNull())
        .fetch(DOMAIN.NAME);
    int released = tx.update(DOMAIN_HOLD).set(DOMAIN_HOLD.RELEASED_AT, Timestamps.toDb(now))
        .where(DOMAIN_HOLD.FEDERATION_ENTRY_ID.eq(e.getId()), DOMAIN_HOLD.RELEASED_AT.isNull()).execute();
    if (!names.isEmpty()) {
      policy.domainsChanged(tx, names, "peer lift " + e.getPeerId() + " " + e.getSourceOrder());
    }
    return released;
  }

  static String prefix(byte[] fp) {
    return HexFormat.of().formatHex(fp, 0, Math.min(4, fp.length));
  }

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
