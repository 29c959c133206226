package org.serverhold.registry.audit;

import static org.serverhold.registry.schema.Tables.AUDIT_EVENT;
import static org.serverhold.registry.schema.Tables.AUDIT_HEAD;

import java.util.Arrays;
import java.util.Optional;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.serverhold.registry.schema.tables.records.AuditEventRecord;
import org.serverhold.registry.schema.tables.records.AuditHeadRecord;

/** Walks the audit chain from the first event and names the first link that does not hold. */
public final class AuditVerifier {
  /** The outcome: how many events were checked, and the first broken one if any. */
  public record Result(long checked, Optional<Long> firstBrokenId, String problem) {
    public boolean intact() {
      return firstBrokenId.isEmpty();
    }
  }

  public Result verify(DSLContext dsl) {
    byte[] expectedPrev = new byte[32];
    long checked = 0;
    long lastId = 0;
    try (Cursor<AuditEventRecord> events = dsl.selectFrom(AUDIT_EVENT).orderBy(AUDIT_EVENT.ID).fetchSize(1000).fetchLazy()) {
      for (AuditEventRecord e : events) {
        if (!Arrays.equals(e.getPrevHash(), expectedPrev)) {
          return new Result(checked, Optional.of(e.getId()), "does not point at the event before it (a row was removed or inserted)");
        }
        byte[] recomputed = AuditLog.hash(e.getPrevHash(), e.getAtMillis(), e.getActor(), e.getActorRole(), e.getAction(),
            e.getTargetType(), e.getTarget(), e.getRequestId(), e.getAuthority(), e.getBeforeState(), e.getAfterState());
        if (!Arrays.equals(recomputed, e.getHash())) {
          return new Result(checked, Optional.of(e.getId()), "its content does not match its hash (the row was edited)");
        }
        expectedPrev = e.getHash();
        lastId = e.getId();
        checked++;
      }
    }
    AuditHeadRecord head = dsl.selectFrom(AUDIT_HEAD).where(AUDIT_HEAD.ID.eq(1)).fetchSingle();
    if (head.getLastId() != lastId || !Arrays.equals(head.getLastHash(), expectedPrev)) {
      return new Result(checked, Optional.of(head.getLastId()), "the chain's head does not match its last event (events were removed at the end)");
    }
    return new Result(checked, Optional.empty(), "");
  }
}
