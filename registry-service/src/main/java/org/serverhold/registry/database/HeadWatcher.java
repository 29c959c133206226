package org.serverhold.registry.database;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Follows a version counter kept in the database (a log's head row) and wakes whoever waits for
 * it to advance. A commit in this process pokes it at once; commits by other replicas are found
 * by reading the head every {@code pollMillis}. Before the new head is announced, {@code
 * beforeAdvance} sees (old, new], e.g. to cache the new entries.
 */
public final class HeadWatcher implements AutoCloseable {
  /** Told of versions (from, to] before waiters learn of them. */
  public interface Advance {
    void accept(long from, long to);
  }

  private static final Logger LOG = Logger.getLogger(HeadWatcher.class.getName());

  private final String name;
  private final LongSupplier readHead;
  private final Advance beforeAdvance;
  private final long pollMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();
  private final Condition poked = lock.newCondition();
  private final Thread pump;
  private volatile long latest;
  private volatile boolean closed;
  private boolean pokePending;

  public HeadWatcher(Database db, String name, LongSupplier readHead, Advance beforeAdvance, long pollMillis) {
    this.name = name;
    this.readHead = readHead;
    this.beforeAdvance = beforeAdvance;
    this.pollMillis = pollMillis;
    this.latest = readHead.getAsLong();
    this.pump = Thread.ofPlatform().daemon().name(name + "-pump").start(this::pumpLoop);
    db.afterCommit(this::poke);
  }

  public long latest() {
    return latest;
  }

  /** Something may have committed: read the head now. Cheap; called after every commit. */
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
        long head = readHead.getAsLong();
        if (head <= latest) {
          continue;
        }
        beforeAdvance.accept(latest, head);
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
          LOG.warning(() -> name + " cannot read the database; retrying: " + e.getMessage());
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
