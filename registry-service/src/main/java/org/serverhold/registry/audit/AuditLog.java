package org.serverhold.registry.audit;

import static org.serverhold.registry.schema.Tables.AUDIT_EVENT;
import static org.serverhold.registry.schema.Tables.AUDIT_HEAD;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import org.jooq.DSLContext;
import org.serverhold.registry.schema.tables.records.AuditHeadRecord;

/**
 * The tamper-evident record of every change: each event carries the hash of the one before, so an
 * edited, inserted or deleted row breaks the chain from there on. Written in the caller's
 * transaction; the chain's head row is locked until commit, which orders the events. Callers
 * append last in their transaction so the head lock is held briefly.
 */
public final class AuditLog {
  private final Clock clock;

  public AuditLog(Clock clock) {
    this.clock = clock;
  }

  public void append(DSLContext tx, AuditEntry entry) {
    AuditHeadRecord head = tx.selectFrom(AUDIT_HEAD).where(AUDIT_HEAD.ID.eq(1)).forUpdate().fetchSingle();
    long at = clock.millis();
    String before = entry.before();
    String after = entry.after();
    byte[] hash = hash(head.getLastHash(), at, entry.actor().name(), entry.actor().role().name(), entry.action(),
        entry.targetType(), entry.target(), entry.requestId(), entry.authority(), before, after);
    tx.insertInto(AUDIT_EVENT)
        .set(AUDIT_EVENT.AT_MILLIS, at)
        .set(AUDIT_EVENT.ACTOR, entry.actor().name())
        .set(AUDIT_EVENT.ACTOR_ROLE, entry.actor().role().name())
        .set(AUDIT_EVENT.ACTION, entry.action())
        .set(AUDIT_EVENT.TARGET_TYPE, entry.targetType())
        .set(AUDIT_EVENT.TARGET, entry.target())
        .set(AUDIT_EVENT.REQUEST_ID, entry.requestId())
        .set(AUDIT_EVENT.AUTHORITY, entry.authority())
        .set(AUDIT_EVENT.BEFORE_STATE, before)
        .set(AUDIT_EVENT.AFTER_STATE, after)
        .set(AUDIT_EVENT.PREV_HASH, head.getLastHash())
        .set(AUDIT_EVENT.HASH, hash)
        .execute();
    long id = tx.lastID().longValue();
    tx.update(AUDIT_HEAD).set(AUDIT_HEAD.LAST_ID, id).set(AUDIT_HEAD.LAST_HASH, hash).where(AUDIT_HEAD.ID.eq(1)).execute();
  }

  /** SHA-256 over the previous hash and every field, each length-prefixed so fields cannot run together. */
  static byte[] hash(byte[] prev, long atMillis, String... fields) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(prev);
      sha.update(ByteBuffer.allocate(8).putLong(atMillis).array());
      for (String f : fields) {
        if (f == null) {
          sha.update(ByteBuffer.allocate(4).putInt(-1).array());
          continue;
        }
        byte[] b = f.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
        sha.update(b);
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
