package org.serverhold.registry.federation;

import static org.serverhold.registry.schema.Tables.FEDERATION_ENTRY;
import static org.serverhold.registry.schema.Tables.FEDERATION_PEER_STATE;

import io.grpc.ClientInterceptor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.impl.DSL;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.FederationEntryState;
import org.serverhold.registry.schema.tables.records.FederationEntryRecord;

/**
 * This registry as a member of a federation: the export log its peers watch, one importer per
 * configured peer, review decisions and status. Without a federation key it exports nothing
 * (the feed answers FAILED_PRECONDITION) and refuses to import.
 */
public final class Federation implements AutoCloseable {
  /** One peer as the status shows it. */
  public record PeerState(String peerId, String target, String mode, long appliedVersion, long peerHeadVersion,
      boolean connected, String lastError, Instant lastErrorTime, Instant lastAppliedTime, long entriesInForce) {
    public long lag() {
      return Math.max(0, peerHeadVersion - appliedVersion);
    }
  }

  private final Database db;
  private final FederationSettings settings;
  private final ExportLog exportLog;
  private final ImportChangeFlow imports;
  private final ReviewFlow reviews;
  private final Clock clock;
  private final Map<String, PeerImporter> importers = new LinkedHashMap<>();

  public Federation(Database db, FederationSettings settings, HolderStore holders, BlacklistStore blacklist,
      BlacklistEntries entries, PolicyLedger policy, AuditLog audit, Clock clock) {
    this.db = db;
    this.settings = settings;
    this.clock = clock;
    settings.key().ifPresent(key -> {
      FederatedHolders federated = new FederatedHolders(key, entries, clock);
      holders.federate(federated);
      blacklist.federate(federated);
      federated.backfill(db, holders);
    });
    this.exportLog = new ExportLog(db, settings.registryId(), 50);
    this.imports = new ImportChangeFlow(db, holders, entries, policy, audit, clock);
    this.reviews = new ReviewFlow(holders, imports, audit, clock);
  }

  public FederationSettings settings() {
    return settings;
  }

  public ExportLog exportLog() {
    return exportLog;
  }

  public ReviewFlow reviews() {
    return reviews;
  }

  public ImportChangeFlow imports() {
    return imports;
  }

  /** Starts importing from {@code peer}; {@code interceptors} see every call to it (tests, metrics). */
  public synchronized PeerImporter addPeer(PeerConfig peer, ClientInterceptor... interceptors) {
    if (settings.key().isEmpty()) {
      throw new IllegalStateException("peer " + peer.id() + ": no federation key is configured ("
          + FederationKey.ENV + " or " + FederationKey.FILE + " in the data directory)");
    }
    if (importers.containsKey(peer.id())) {
      throw new IllegalArgumentException("peer " + peer.id() + " is configured twice");
    }
    PeerImporter importer = new PeerImporter(peer, settings.registryId(), imports, db, List.of(interceptors));
    importers.put(peer.id(), importer);
    importer.start();
    return importer;
  }

  /** Stops importing from a peer (its state stays; adding it again resumes from its version). */
  public synchronized void removePeer(String peerId) {
    PeerImporter importer = importers.remove(peerId);
    if (importer != null) {
      importer.close();
    }
  }

  /** Every peer with a state row, configured here or not (another replica may import it). */
  public List<PeerState> status() {
    Instant now = clock.instant();
    Map<String, Long> inForce = new LinkedHashMap<>();
    db.dsl().select(FEDERATION_ENTRY.PEER_ID, DSL.count()).from(FEDERATION_ENTRY)
        .where(FederatedHolders.inForce(now)).groupBy(FEDERATION_ENTRY.PEER_ID)
        .forEach(r -> inForce.put(r.value1(), r.value2().longValue()));
    List<PeerState> out = new ArrayList<>();
    for (var r : db.dsl().selectFrom(FEDERATION_PEER_STATE).orderBy(FEDERATION_PEER_STATE.PEER_ID).fetch()) {
      PeerImporter importer;
      synchronized (this) {
        importer = importers.get(r.getPeerId());
      }
      out.add(new PeerState(r.getPeerId(), r.getTarget(), r.getMode(), r.getLastVersion(), r.getPeerHeadVersion(),
          importer != null && importer.connected(), r.getLastError(),
          r.getLastErrorMs() == null ? null : Instant.ofEpochMilli(r.getLastErrorMs()),
          r.getLastAppliedMs() == null ? null : Instant.ofEpochMilli(r.getLastAppliedMs()),
          inForce.getOrDefault(r.getPeerId(), 0L)));
    }
    return out;
  }

  public Optional<PeerState> status(String peerId) {
    return status().stream().filter(p -> p.peerId().equals(peerId)).findFirst();
  }

  /** Imports waiting for a decision (and, with {@code includeDecided}, those decided), oldest first. */
  public List<FederationEntryRecord> reviewQueue(boolean includeDecided) {
    var where = includeDecided
        ? FEDERATION_ENTRY.DECIDED_BY.isNotNull().or(FEDERATION_ENTRY.STATE.eq(FederationEntryState.PENDING_REVIEW))
        : FEDERATION_ENTRY.STATE.eq(FederationEntryState.PENDING_REVIEW);
    return db.dsl().selectFrom(FEDERATION_ENTRY).where(where).orderBy(FEDERATION_ENTRY.ID).limit(1000).fetch();
  }

  public Optional<FederationEntryRecord> entry(long id) {
    return db.dsl().selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.ID.eq(id)).fetchOptional();
  }

  /** How many domains a suspending disposal of this entry holds now. */
  public int domainsHeld(long federationEntryId) {
    return db.dsl().fetchCount(org.serverhold.registry.schema.Tables.DOMAIN_HOLD,
        org.serverhold.registry.schema.Tables.DOMAIN_HOLD.FEDERATION_ENTRY_ID.eq(federationEntryId),
        org.serverhold.registry.schema.Tables.DOMAIN_HOLD.RELEASED_AT.isNull());
  }

  static Instant fromDb(java.time.LocalDateTime t) {
    return Timestamps.fromDb(t);
  }

  @Override
  public synchronized void close() {
    importers.values().forEach(PeerImporter::close);
    importers.clear();
    exportLog.close();
  }
}
