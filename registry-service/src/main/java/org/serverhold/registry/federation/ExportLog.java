package org.serverhold.registry.federation;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.FEDERATION_CHANGE;
import static org.serverhold.registry.schema.Tables.FEDERATION_HEAD;
import static org.serverhold.registry.schema.Tables.HOLDER;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.List;
import org.jooq.Record;
import org.serverhold.api.v1.BlacklistChange;
import org.serverhold.api.v1.BlacklistChangeKind;
import org.serverhold.api.v1.ExportedSource;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.HeadWatcher;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.failure.FailureKind;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.schema.enums.BlacklistEntrySource;
import org.serverhold.registry.schema.enums.FederationChangeKind;

/**
 * The exporting side: knows the head of this registry's blacklist change log (a commit here
 * pokes it; other replicas' commits are found by polling the head row) and reads changes as
 * wire messages. Only the federation fingerprint and the identity type of the holder leave.
 */
public final class ExportLog implements AutoCloseable {

  private final Database db;
  private final String registryId;
  private final HeadWatcher head;

  public ExportLog(Database db, String registryId, long pollMillis) {
    this.db = db;
    this.registryId = registryId;
    this.head = new HeadWatcher(db, "federation-export", this::readHead, (from, to) -> { }, pollMillis);
  }

  public long latest() {
    return head.latest();
  }

  public String registryId() {
    return registryId;
  }

  void poke() {
    head.poke();
  }

  /** Waits until a version above {@code version} is known, or the timeout passes; returns the latest. */
  public long awaitAbove(long version, long timeoutMillis) throws InterruptedException {
    return head.awaitAbove(version, timeoutMillis);
  }

  /** Changes with versions in (after, upTo], at most {@code limit}, in order. */
  public List<BlacklistChange> read(long after, long upTo, int limit) {
    long head = this.head.latest();
    return db.dsl().select(FEDERATION_CHANGE.VERSION, FEDERATION_CHANGE.KIND, FEDERATION_CHANGE.COMMITTED_MS,
            BLACKLIST_ENTRY.ID, BLACKLIST_ENTRY.REASON, BLACKLIST_ENTRY.AUTHORITY, BLACKLIST_ENTRY.CASE_NUMBER,
            BLACKLIST_ENTRY.SOURCE, BLACKLIST_ENTRY.SOURCE_REF, BLACKLIST_ENTRY.CREATED_AT, BLACKLIST_ENTRY.EXPIRES_AT,
            HOLDER.IDENTITY_TYPE, HOLDER.FEDERATION_FINGERPRINT)
        .from(FEDERATION_CHANGE)
        .join(BLACKLIST_ENTRY).on(BLACKLIST_ENTRY.ID.eq(FEDERATION_CHANGE.ENTRY_ID))
        .join(HOLDER).on(HOLDER.ID.eq(BLACKLIST_ENTRY.HOLDER_ID))
        .where(FEDERATION_CHANGE.VERSION.gt(after), FEDERATION_CHANGE.VERSION.le(upTo))
        .orderBy(FEDERATION_CHANGE.VERSION)
        .limit(limit)
        .fetch(r -> toWire(r, head));
  }

  private BlacklistChange toWire(Record r, long head) {
    byte[] fp = r.get(HOLDER.FEDERATION_FINGERPRINT);
    if (fp == null) {
      throw new RegistryException(FailureKind.UNAVAILABLE, "FEDERATION_NOT_READY",
          "holders are still being fingerprinted under the federation key; retry", List.of(), java.util.Map.of());
    }
    boolean takedown = r.get(BLACKLIST_ENTRY.SOURCE) == BlacklistEntrySource.TAKEDOWN;
    long ms = r.get(FEDERATION_CHANGE.COMMITTED_MS);
    Instant time = ms > 0 ? Instant.ofEpochMilli(ms) : Timestamps.fromDb(r.get(BLACKLIST_ENTRY.CREATED_AT));
    var b = BlacklistChange.newBuilder()
        .setVersion(r.get(FEDERATION_CHANGE.VERSION))
        .setKind(r.get(FEDERATION_CHANGE.KIND) == FederationChangeKind.ADD ? BlacklistChangeKind.BLACKLIST_ADD
            : BlacklistChangeKind.BLACKLIST_LIFT)
        .setFederationFingerprint(ByteString.copyFrom(fp))
        .setIdentityType(IdentityType.valueOf(r.get(HOLDER.IDENTITY_TYPE).name()))
        .setReason(r.get(BLACKLIST_ENTRY.REASON))
        .setAuthority(r.get(BLACKLIST_ENTRY.AUTHORITY))
        .setCaseNumber(r.get(BLACKLIST_ENTRY.CASE_NUMBER))
        .setSourceRegistryId(registryId)
        .setSourceEntryRef("E" + r.get(BLACKLIST_ENTRY.ID))
        .setSource(takedown ? ExportedSource.EXPORTED_TAKEDOWN : ExportedSource.EXPORTED_MANUAL)
        .setSourceOrder(r.get(BLACKLIST_ENTRY.SOURCE_REF))
        .setTime(ts(time))
        .setHeadVersion(Math.max(head, r.get(FEDERATION_CHANGE.VERSION)));
    Instant expires = Timestamps.fromDb(r.get(BLACKLIST_ENTRY.EXPIRES_AT));
    if (expires != null) {
      b.setExpires(ts(expires));
    }
    return b.build();
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  private long readHead() {
    return db.dsl().select(FEDERATION_HEAD.VERSION).from(FEDERATION_HEAD).where(FEDERATION_HEAD.ID.eq(1))
        .fetchSingle(FEDERATION_HEAD.VERSION);
  }

  @Override
  public void close() {
    head.close();
  }
}
