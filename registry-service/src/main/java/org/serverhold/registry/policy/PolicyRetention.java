package org.serverhold.registry.policy;

import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET;
import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET_PART;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;

import java.time.Clock;
import java.time.Duration;
import org.serverhold.registry.database.Database;

/**
 * Prunes the change log. A changeset is kept while it is among the newest {@code keepVersions}
 * OR younger than {@code keepFor}: a subscriber within either window can always resume, and one
 * further behind is told to resync (never handed a log with a hole).
 */
public final class PolicyRetention {
  private final Database db;
  private final Clock clock;
  private final long keepVersions;
  private final Duration keepFor;

  public PolicyRetention(Database db, Clock clock, long keepVersions, Duration keepFor) {
    if (keepVersions < 1) {
      throw new IllegalArgumentException("keep at least one version");
    }
    this.db = db;
    this.clock = clock;
    this.keepVersions = keepVersions;
    this.keepFor = keepFor;
  }

  /** Deletes what both windows have passed, oldest first; returns how many changesets went. */
  public int pruneOnce() {
    long head = db.dsl().select(POLICY_HEAD.VERSION).from(POLICY_HEAD).where(POLICY_HEAD.ID.eq(1))
        .fetchSingle(POLICY_HEAD.VERSION);
    long cutoffMs = clock.millis() - keepFor.toMillis();
    Long upTo = db.dsl().select(org.jooq.impl.DSL.max(POLICY_CHANGESET.VERSION)).from(POLICY_CHANGESET)
        .where(POLICY_CHANGESET.VERSION.le(head - keepVersions), POLICY_CHANGESET.COMMITTED_MS.lt(cutoffMs))
        .fetchOne(0, Long.class);
    if (upTo == null) {
      return 0;
    }
    // Oldest first and in one transaction: the retained log never has a hole in it.
    return db.transaction(tx -> {
      tx.deleteFrom(POLICY_CHANGESET_PART).where(POLICY_CHANGESET_PART.VERSION.le(upTo)).execute();
      return tx.deleteFrom(POLICY_CHANGESET).where(POLICY_CHANGESET.VERSION.le(upTo)).execute();
    });
  }
}
