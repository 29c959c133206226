package org.serverhold.registry.policy;

import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET;
import static org.serverhold.registry.schema.Tables.POLICY_CHANGESET_PART;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.serverhold.api.v1.Changeset;
import org.serverhold.registry.database.Database;

/**
 * Learns committed changesets and wakes the subscribers waiting for them. A commit in this
 * process pokes it at once; commits by other replicas are found by reading the version row
 * every {@code pollMillis}. Recent changesets stay in memory so that a hundred subscribers do
 * not read the same rows a hundred times.
 */
public final class PolicyFeed implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PolicyFeed.class.getName());
  private static final int CACHE_VERSIONS = 512;

  private final Database db;
  private final long pollMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();
  private final Condition poked = lock.newCondition();
  private final ConcurrentSkipListMap<Long, List<Changeset>> recent = new ConcurrentSkipListMap<>();
  private final Thread pump;
  private volatile long latest;
  private volatile boolean closed;
  private boolean pokePending;

  public PolicyFeed(Database db, long pollMillis) {
    this.db = db;
    this.pollMillis = pollMillis;
    this.latest = headVersion();
    this.pump = Thread.ofPlatform().daemon().name("policy-feed-pump").start(this::pumpLoop);
    db.afterCommit(this::poke);
  }

  public long latest() {
    return latest;
  }

  /** Wakes the pump: something may have committed. Cheap; called after every commit. */
  public void poke() {
    lock.lock();
    try {
      pokePending = true;
      poked.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until a version above {@code version} is known, or the timeout passes; returns the latest. */
  public long awaitAbove(long version, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    lock.lock();
    try {
      while (latest <= version && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        advanced.awaitNanos(left);
      }
      return latest;
    } finally {
      lock.unlock();
    }
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
    return min == null ? latest + 1 : min;
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

  private void pumpLoop() {
    while (!closed) {
      try {
        lock.lock();
        try {
          if (!pokePending) {
            poked.await(pollMillis, TimeUnit.MILLISECONDS);
          }
          pokePending = false;
        } finally {
          lock.unlock();
        }
        long head = headVersion();
        if (head <= latest) {
          continue;
        }
        for (long v = latest + 1; v <= head && head - v < CACHE_VERSIONS; v++) {
          load(v).ifPresent(parts -> recent.put(parts.getFirst().getVersion(), parts));
        }
        while (recent.size() > CACHE_VERSIONS) {
          recent.pollFirstEntry();
        }
        lock.lock();
        try {
          latest = head;
          advanced.signalAll();
        } finally {
          lock.unlock();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          LOG.log(Level.WARNING, "policy feed cannot read the database; retrying: " + e.getMessage());
          try {
            Thread.sleep(Math.max(200, pollMillis));
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    pump.interrupt();
    lock.lock();
    try {
      advanced.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
