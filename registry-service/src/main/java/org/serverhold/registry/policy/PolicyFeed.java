package org.serverhold.registry.policy;

import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET;
import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET_PART;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.serverhold.api.v1.Changeset;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.HeadWatcher;

/**
 * Learns committed changesets and wakes the subscribers waiting for them. A commit in this
 * process pokes it at once; commits by other replicas are found by reading the version row
 * every {@code pollMillis}. Recent changesets stay in memory so that a hundred subscribers do
 * not read the same rows a hundred times.
 */
public final class PolicyFeed implements AutoCloseable {
  private static final int CACHE_VERSIONS = 512;

  private final Database db;
  private final ConcurrentSkipListMap<Long, List<Changeset>> recent = new ConcurrentSkipListMap<>();
  private final HeadWatcher head;

  public PolicyFeed(Database db, long pollMillis) {
    this.db = db;
    this.head = new HeadWatcher(db, "policy-feed", this::headVersion, this::cache, pollMillis);
  }

  public long latest() {
    return head.latest();
  }

  /** Something may have committed: look now. Cheap; called after every commit. */
  public void poke() {
    head.poke();
  }

  /** Waits until a version above {@code version} is known, or the timeout passes; returns the latest. */
  public long awaitAbove(long version, long timeoutMillis) throws InterruptedException {
    return head.awaitAbove(version, timeoutMillis);
  }

  /** The parts of one changeset, from memory or the database; empty when pruned. */
  public Optional<List<Changeset>> changeset(long version) {
    List<Changeset> cached = recent.get(version);
    if (cached != null) {
      return Optional.of(cached);
    }
    return load(version);
  }

  /** The oldest version still in the change log (the head + 1 when the log is empty). */
  public long oldestRetained() {
    Long min = db.dsl().select(org.jooq.impl.DSL.min(POLICY_CHANGESET.VERSION)).from(POLICY_CHANGESET)
        .fetchOne(0, Long.class);
    return min == null ? head.latest() + 1 : min;
  }

  private Optional<List<Changeset>> load(long version) {
    var rows = db.dsl().select(POLICY_CHANGESET_PART.BODY).from(POLICY_CHANGESET_PART)
        .where(POLICY_CHANGESET_PART.VERSION.eq(version)).orderBy(POLICY_CHANGESET_PART.PART)
        .fetch(POLICY_CHANGESET_PART.BODY);
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    List<Changeset> parts = new ArrayList<>(rows.size());
    for (byte[] body : rows) {
      try {
        parts.add(Changeset.parseFrom(body));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("changeset " + version + " cannot be read", e);
      }
    }
    if (!parts.getLast().getLastPart()) {
      return Optional.empty();
    }
    return Optional.of(List.copyOf(parts));
  }

  private long headVersion() {
    return db.dsl().select(POLICY_HEAD.VERSION).from(POLICY_HEAD).where(POLICY_HEAD.ID.eq(1)).fetchSingle(POLICY_HEAD.VERSION);
  }

  /** Keeps the newest changesets in memory, so many subscribers do not read the same rows. */
  private void cache(long from, long to) {
    for (long v = from + 1; v <= to && to - v < CACHE_VERSIONS; v++) {
      load(v).ifPresent(parts -> recent.put(parts.getFirst().getVersion(), parts));
    }
    while (recent.size() > CACHE_VERSIONS) {
      recent.pollFirstEntry();
    }
  }

  @Override
  public void close() {
    head.close();
  }
}
