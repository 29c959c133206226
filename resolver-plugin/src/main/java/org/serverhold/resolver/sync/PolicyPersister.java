package org.serverhold.resolver.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.PolicyView;

/**
 * Writes the engine's latest version to the policy file on a thread of its own, coalescing:
 * while one write runs, any number of new versions cause one more write of the newest. A
 * ten-million-name policy takes seconds to write; the feed must not wait for it.
 */
final class PolicyPersister implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PolicyPersister.class.getName());

  private final PolicyFile file;
  private final PolicyEngine engine;
  private final Thread thread;
  private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
  private boolean failing;
  private long requested = -1;
  private long written = -1;
  private boolean closing;

  PolicyPersister(PolicyFile file, PolicyEngine engine, long alreadyWritten) {
    this.file = file;
    this.engine = engine;
    this.written = alreadyWritten;
    this.thread = Thread.ofPlatform().daemon().name("policy-persist").start(this::run);
  }

  /** Asks for the current version to be written. */
  synchronized void request() {
    requested = Math.max(requested, engine.version());
    notifyAll();
  }

  /** Waits until {@code version} or later is on disk. */
  synchronized boolean awaitWritten(long version, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (written < version) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized long written() {
    return written;
  }

  /**
   * Failed writes so far. A failed write leaves the previous file as it was ({@link
   * PolicyFile#write} replaces it only by an atomic rename of a complete, synced file); the policy
   * keeps being applied in memory and the write is retried.
   */
  long failures() {
    return failures.get();
  }

  private void run() {
    while (true) {
      synchronized (this) {
        while (!closing && requested <= written) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (requested <= written) {
          return; // closing with nothing left to write
        }
      }
      PolicyView view = engine.view();
      try {
        file.write(view);
        synchronized (this) {
          written = Math.max(written, view.version());
          notifyAll();
          if (failing) {
            failing = false;
            LOG.info(() -> "policy file " + file.path() + " written again (version " + view.version() + ")");
          }
        }
      } catch (IOException | RuntimeException e) {
        failures.incrementAndGet();
        synchronized (this) {
          // The first failure of a streak is a warning; the retries (every second) only at FINE.
          LOG.log(failing ? Level.FINE : Level.WARNING, "could not persist policy version " + view.version()
              + " to " + file.path() + " (the previous file is kept; the policy is applied in memory): " + e, e);
          failing = true;
          if (closing) {
            return;
          }
          try {
            wait(1000); // retry later, when asked again or after a pause
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  /** Writes what is pending, then stops. */
  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      closing = true;
      notifyAll();
    }
    thread.join(Duration.ofMinutes(2));
  }
}
