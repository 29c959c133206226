package org.serverhold.resolver.sync;

import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import org.serverhold.api.v1.AckPolicyRequest;
import org.serverhold.api.v1.AckPolicyResponse;
import org.serverhold.api.v1.Changeset;
import org.serverhold.api.v1.GetPolicySnapshotRequest;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.PolicySnapshotChunk;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.api.v1.WatchPolicyRequest;
import org.serverhold.resolver.policy.PolicyChange;
import org.serverhold.resolver.policy.PolicyChangeset;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.VersionGapException;

/**
 * Keeps a {@link PolicyEngine} in step with the registry: a snapshot, then {@code WatchPolicy}
 * from its version. Changesets split into parts are applied only once the last part arrives; a
 * version gap or a Resync leads to a fresh snapshot; a broken stream to a reconnect with
 * exponential backoff and jitter. Every applied version is persisted (coalesced, off the feed
 * thread) and acknowledged to the registry.
 *
 * <p>One thread runs the feed; stop it with {@link #close()}.
 */
public final class PolicySync implements FeedStatus, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PolicySync.class.getName());

  private final SyncConfig config;
  private final PolicyEngine engine;
  private final Clock clock;
  private final ManagedChannel channel;
  private final PolicyServiceGrpc.PolicyServiceBlockingStub blocking;
  private final PolicyServiceGrpc.PolicyServiceStub async;
  private final PolicyFile file;
  private final Backoff backoff;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong registryVersion = new AtomicLong(-1);
  private final AtomicLong ackPending = new AtomicLong(-1);
  private final AtomicBoolean ackInFlight = new AtomicBoolean();
  private final AtomicLong snapshots = new AtomicLong();
  private volatile PolicyPersister persister;
  private volatile Context.CancellableContext current;
  private volatile boolean watching;
  private volatile Duration lastLag;
  private volatile Instant lastContact;
  private Thread thread;

  public PolicySync(SyncConfig config, PolicyEngine engine) {
    this(config, engine, Clock.systemUTC(), RandomGenerator.getDefault());
  }

  PolicySync(SyncConfig config, PolicyEngine engine, Clock clock, RandomGenerator random) {
    this.config = config;
    this.engine = engine;
    this.clock = clock;
    this.channel = channel(config);
    PolicyServiceGrpc.PolicyServiceBlockingStub b = PolicyServiceGrpc.newBlockingStub(channel);
    PolicyServiceGrpc.PolicyServiceStub a = PolicyServiceGrpc.newStub(channel);
    if (config.token() != null && !config.token().isBlank()) {
      BearerToken token = new BearerToken(config.token());
      b = b.withCallCredentials(token);
      a = a.withCallCredentials(token);
    }
    this.blocking = b;
    this.async = a;
    this.file = config.policyFile() == null ? null : new PolicyFile(config.policyFile());
    this.backoff = new Backoff(config.backoffMin(), config.backoffMax(), random);
  }

  private static ManagedChannel channel(SyncConfig config) {
    ChannelCredentials credentials;
    if (config.tls()) {
      TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
      if (config.trustCertFile() != null) {
        try {
          tls.trustManager(config.trustCertFile().toFile());
        } catch (IOException e) {
          throw new IllegalArgumentException("cannot read trust certificates " + config.trustCertFile(), e);
        }
      }
      credentials = tls.build();
    } else {
      credentials = InsecureChannelCredentials.create();
    }
    ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(config.target(), credentials)
        .maxInboundMessageSize(64 << 20);
    if (config.keepAlive() != null) {
      builder.keepAliveTime(config.keepAlive().toMillis(), TimeUnit.MILLISECONDS);
    }
    return builder.build();
  }

  /**
   * Loads the persisted policy (if the engine has none yet) before returning, so a gateway
   * started while the registry is down serves the last known policy immediately; then starts
   * following the feed in the background.
   */
  public synchronized void start() {
    if (!running.compareAndSet(false, true)) {
      throw new IllegalStateException("already started");
    }
    long onDisk = -1;
    if (file != null) {
      if (!engine.hasPolicy()) {
        try {
          Optional<Long> loaded = file.loadInto(engine);
          if (loaded.isPresent()) {
            onDisk = loaded.get();
            LOG.info(() -> "loaded policy version " + loaded.get() + " (" + engine.size() + " entries) from " + file.path());
          }
        } catch (IOException e) {
          LOG.log(Level.WARNING, "ignoring the persisted policy: " + e.getMessage(), e);
        }
      }
      persister = new PolicyPersister(file, engine, onDisk);
    }
    thread = Thread.ofPlatform().name("policy-sync").daemon().start(this::run);
  }

  private void run() {
    boolean needSnapshot = !engine.hasPolicy();
    while (running.get()) {
      try {
        if (needSnapshot) {
          snapshot();
          needSnapshot = false;
        }
        needSnapshot = watch();
        if (needSnapshot) {
          continue; // a gap or Resync: snapshot right away, the registry is reachable
        }
      } catch (VersionGapException e) {
        LOG.warning(() -> "policy feed gap (" + e.getMessage() + "): taking a new snapshot");
        needSnapshot = true;
        continue;
      } catch (StatusRuntimeException | IllegalStateException e) {
        if (!running.get()) {
          break;
        }
        LOG.log(Level.FINE, "policy feed interrupted", e);
        LOG.warning(() -> "policy feed " + config.target() + ": " + e.getMessage());
      } catch (RuntimeException e) {
        if (!running.get()) {
          break;
        }
        LOG.log(Level.WARNING, "policy feed failed", e);
      } finally {
        watching = false;
      }
      if (!pause(backoff.next())) {
        break;
      }
    }
  }

  /** Sleeps unless closed meanwhile; false when closing. */
  private boolean pause(Duration d) {
    synchronized (running) {
      long deadline = System.nanoTime() + d.toNanos();
      while (running.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          running.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          return false;
        }
      }
      return false;
    }
  }

  private <T> T cancellable(java.util.function.Supplier<T> body) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    current = ctx;
    try {
      if (!running.get()) {
        throw new IllegalStateException("closing");
      }
      return ctx.call(body::get);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      current = null;
      ctx.cancel(null);
    }
  }

  private void snapshot() {
    cancellable(() -> {
      Iterator<PolicySnapshotChunk> it = blocking.getPolicySnapshot(
          GetPolicySnapshotRequest.newBuilder().setMaxEntriesPerChunk(config.snapshotChunk()).build());
      if (!it.hasNext()) {
        throw new IllegalStateException("empty policy snapshot");
      }
      PolicySnapshotChunk chunk = it.next();
      contact();
      long version = chunk.getVersion();
      PolicyEngine.SnapshotLoader loader = engine.beginSnapshot(version, chunk.getZonesList(), chunk.getTotalEntries());
      while (true) {
        if (chunk.getVersion() != version) {
          throw new IllegalStateException("snapshot chunks disagree on the version: " + version + " then "
              + chunk.getVersion());
        }
        chunk.getZonesList().forEach(loader::addZone);
        for (org.serverhold.api.v1.PolicyEntry e : chunk.getEntriesList()) {
          ProtoPolicy.entry(e).ifPresent(loader::add);
        }
        if (chunk.getLast()) {
          break;
        }
        if (!it.hasNext()) {
          throw new IllegalStateException("policy snapshot ended before its last chunk");
        }
        chunk = it.next();
      }
      snapshots.incrementAndGet(); // counted before it is visible, so waiting on the version implies it
      loader.install();
      registryVersion.accumulateAndGet(version, Math::max);
      backoff.reset();
      LOG.info(() -> "policy snapshot version " + version + " installed (" + engine.size() + " entries)");
      applied(version);
      return null;
    });
  }

  /** Follows the feed until the stream ends; true when a new snapshot is needed. */
  private boolean watch() {
    return cancellable(() -> {
      long from = engine.version();
      Iterator<PolicyUpdate> it = blocking.watchPolicy(
          WatchPolicyRequest.newBuilder().setFromVersion(from).setResolverId(config.resolverId()).build());
      watching = true;
      List<PolicyChange> parts = new ArrayList<>();
      long partsVersion = -1;
      int nextPart = 0;
      Changeset first = null;
      while (it.hasNext()) {
        PolicyUpdate update = it.next();
        contact();
        backoff.reset();
        if (update.hasResync()) {
          registryVersion.accumulateAndGet(update.getResync().getCurrentVersion(), Math::max);
          LOG.info(() -> "registry asks for a resync: " + update.getResync().getMessage());
          return true;
        }
        if (!update.hasChangeset()) {
          continue;
        }
        Changeset cs = update.getChangeset();
        long have = engine.version();
        if (cs.getVersion() <= have && partsVersion < 0) {
          continue; // already applied (e.g. resent after a reconnect)
        }
        if (cs.getVersion() != have + 1) {
          throw new VersionGapException(have, cs.getVersion());
        }
        if (partsVersion != cs.getVersion()) {
          if (partsVersion >= 0 || cs.getPart() != 0) {
            throw new VersionGapException(have, cs.getVersion()); // a part went missing
          }
          partsVersion = cs.getVersion();
          nextPart = 0;
          parts.clear();
          first = cs;
        }
        if (cs.getPart() != nextPart) {
          throw new VersionGapException(have, cs.getVersion());
        }
        nextPart++;
        for (org.serverhold.api.v1.PolicyChange c : cs.getChangesList()) {
          ProtoPolicy.change(c).ifPresent(parts::add);
        }
        if (cs.getLastPart()) {
          Instant committed = ProtoPolicy.committed(first);
          engine.apply(new PolicyChangeset(cs.getVersion(), parts, committed, first.getCause()));
          if (committed != null) {
            lastLag = Duration.between(committed, clock.instant());
          }
          registryVersion.accumulateAndGet(cs.getVersion(), Math::max);
          applied(cs.getVersion());
          partsVersion = -1;
          parts = new ArrayList<>();
          first = null;
        }
      }
      return false; // the registry closed the stream: reconnect
    });
  }

  private void contact() {
    lastContact = clock.instant();
  }

  private void applied(long version) {
    PolicyPersister p = persister;
    if (p != null) {
      p.request();
    }
    acknowledge(version);
  }

  /** Fire-and-forget, coalesced: at most one AckPolicy in flight, then the newest version. */
  private void acknowledge(long version) {
    ackPending.accumulateAndGet(version, Math::max);
    if (!ackInFlight.compareAndSet(false, true)) {
      return;
    }
    long v = ackPending.get();
    async.withDeadlineAfter(10, TimeUnit.SECONDS).ackPolicy(
        AckPolicyRequest.newBuilder().setResolverId(config.resolverId()).setAppliedVersion(v).build(),
        new StreamObserver<>() {
          @Override
          public void onNext(AckPolicyResponse r) {
            registryVersion.accumulateAndGet(r.getCurrentVersion(), Math::max);
          }

          @Override
          public void onError(Throwable t) {
            LOG.fine(() -> "AckPolicy " + v + " failed: " + t);
            done();
          }

          @Override
          public void onCompleted() {
            done();
          }

          private void done() {
            ackInFlight.set(false);
            if (ackPending.get() > v && running.get()) {
              acknowledge(ackPending.get());
            }
          }
        });
  }

  // ---------------------------------------------------------------- status

  @Override
  public long version() {
    return engine.version();
  }

  @Override
  public boolean connected() {
    return watching && channel.getState(false) == ConnectivityState.READY;
  }

  @Override
  public Optional<Duration> lastChangesetLag() {
    return Optional.ofNullable(lastLag);
  }

  @Override
  public long versionsBehind() {
    long r = registryVersion.get();
    return r < 0 ? 0 : Math.max(0, r - engine.version());
  }

  @Override
  public Optional<Duration> sinceLastContact() {
    Instant c = lastContact;
    return c == null ? Optional.empty() : Optional.of(Duration.between(c, clock.instant()));
  }

  @Override
  public long persistFailures() {
    PolicyPersister p = persister;
    return p == null ? 0 : p.failures();
  }

  /** Snapshots taken since start (for tests and logs). */
  public long snapshotsTaken() {
    return snapshots.get();
  }

  /** Waits until {@code version} or later is persisted to the policy file. */
  public boolean awaitPersisted(long version, Duration timeout) throws InterruptedException {
    PolicyPersister p = persister;
    return p != null && p.awaitWritten(version, timeout);
  }

  @Override
  public void close() {
    synchronized (running) {
      running.set(false);
      running.notifyAll();
    }
    Context.CancellableContext ctx = current;
    if (ctx != null) {
      ctx.cancel(null);
    }
    channel.shutdownNow();
    try {
      if (thread != null) {
        thread.join(Duration.ofSeconds(10));
      }
      channel.awaitTermination(5, TimeUnit.SECONDS);
      PolicyPersister p = persister;
      if (p != null) {
        p.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
