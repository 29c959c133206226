package org.serverhold.registry.testing;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.serverhold.api.v1.Changeset;
import org.serverhold.api.v1.GetPolicySnapshotRequest;
import org.serverhold.api.v1.PolicyChange;
import org.serverhold.api.v1.PolicyEntry;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.api.v1.WatchPolicyRequest;

/**
 * A resolver's view of the feed for tests: watches from a version, checks that versions come
 * consecutively and that parts of a changeset come together, and applies changesets whole to a
 * map that can be compared with a fresh snapshot.
 */
public final class FeedSubscriber implements AutoCloseable {
  private final Map<String, PolicyEntry> entries = new HashMap<>();
  private final TreeSet<String> zones = new TreeSet<>();
  private final List<String> problems = new ArrayList<>();
  private final List<Changeset> changesets = new ArrayList<>();
  private final List<Changeset> pendingParts = new ArrayList<>();
  private final Context.CancellableContext context = Context.current().withCancellation();
  private long version;
  private boolean resynced;
  private Throwable error;

  public FeedSubscriber(TestRegistry r, long from) {
    this(r.channel, r.resolver, from);
  }

  /** Watches from version 0 through {@code channel} with a RESOLVER credential's {@code token}. */
  public FeedSubscriber(Channel channel, String token, long from) {
    this.version = from;
    if (from > 0) {
      throw new IllegalArgumentException("use watchFrom with a state");
    }
    start(channel, token, from);
  }

  private FeedSubscriber(Channel channel, String token, long from, Map<String, PolicyEntry> state, TreeSet<String> z) {
    this.version = from;
    entries.putAll(state);
    zones.addAll(z);
    start(channel, token, from);
  }

  /** Continues another subscriber's state from its version (a resume after a disconnect). */
  public static FeedSubscriber resume(TestRegistry r, FeedSubscriber previous) {
    return resume(r.channel, r.resolver, previous);
  }

  /** The same, against any server (e.g. a restarted registry on another port). */
  public static FeedSubscriber resume(Channel channel, String token, FeedSubscriber previous) {
    synchronized (previous) {
      return new FeedSubscriber(channel, token, previous.version, previous.entries, previous.zones);
    }
  }

  private void start(Channel channel, String token, long from) {
    var stub = TestRegistry.as(PolicyServiceGrpc.newStub(channel), token).withDeadline(null);
    context.run(() -> stub.watchPolicy(WatchPolicyRequest.newBuilder().setFromVersion(from).setResolverId("test-sub").build(),
        new StreamObserver<>() {
          @Override
          public void onNext(PolicyUpdate u) {
            accept(u);
          }

          @Override
          public void onError(Throwable t) {
            synchronized (FeedSubscriber.this) {
              error = t;
              FeedSubscriber.this.notifyAll();
            }
          }

          @Override
          public void onCompleted() {}
        }));
  }

  private synchronized void accept(PolicyUpdate u) {
    if (u.hasResync()) {
      resynced = true;
      notifyAll();
      return;
    }
    Changeset part = u.getChangeset();
    if (part.getVersion() != version + 1) {
      problems.add("got version " + part.getVersion() + " after " + version);
    }
    if (part.getPart() != pendingParts.size()) {
      problems.add("version " + part.getVersion() + ": part " + part.getPart() + " after " + pendingParts.size() + " parts");
    }
    pendingParts.add(part);
    if (!part.getLastPart()) {
      return;
    }
    Changeset.Builder whole = Changeset.newBuilder().setVersion(part.getVersion());
    for (Changeset p : pendingParts) {
      whole.addAllChanges(p.getChangesList());
    }
    pendingParts.clear();
    for (PolicyChange c : whole.getChangesList()) {
      switch (c.getChangeCase()) {
        case PUT -> entries.put(key(c.getPut().getKind().name(), c.getPut().getName()), c.getPut());
        case REMOVE -> entries.remove(key(c.getRemove().getKind().name(), c.getRemove().getName()));
        case ADD_ZONE -> zones.add(c.getAddZone());
        case REMOVE_ZONE -> zones.remove(c.getRemoveZone());
        default -> problems.add("empty change in version " + part.getVersion());
      }
    }
    changesets.add(whole.build());
    version = part.getVersion();
    notifyAll();
  }

  static String key(String kind, String name) {
    return kind + " " + name;
  }

  /** Waits (bounded) until the subscriber has applied {@code target}; returns whether it did. */
  public synchronized boolean awaitVersion(long target, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (version < target && error == null && !resynced) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return version >= target;
  }

  public synchronized boolean awaitResync(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!resynced && error == null) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    return resynced;
  }

  /** The stream's failure (e.g. the server went away), or null while it is open. */
  public synchronized Throwable error() {
    return error;
  }

  public synchronized long version() {
    return version;
  }

  public synchronized List<String> problems() {
    return List.copyOf(problems);
  }

  public synchronized List<Changeset> changesets() {
    return List.copyOf(changesets);
  }

  public synchronized Map<String, PolicyEntry> entries() {
    return Map.copyOf(entries);
  }

  public synchronized TreeSet<String> zones() {
    return new TreeSet<>(zones);
  }

  /** A fresh snapshot as a map, and its version. */
  public record Snapshot(long version, Map<String, PolicyEntry> entries, TreeSet<String> zones) {}

  public static Snapshot snapshot(TestRegistry r) {
    return snapshot(r.channel, r.resolver);
  }

  public static Snapshot snapshot(Channel channel, String token) {
    var stub = TestRegistry.as(PolicyServiceGrpc.newBlockingStub(channel), token).withDeadlineAfter(60, TimeUnit.SECONDS);
    Map<String, PolicyEntry> out = new HashMap<>();
    TreeSet<String> z = new TreeSet<>();
    long v = -1;
    var chunks = stub.getPolicySnapshot(GetPolicySnapshotRequest.newBuilder().setMaxEntriesPerChunk(1000).build());
    while (chunks.hasNext()) {
      var c = chunks.next();
      if (v >= 0 && c.getVersion() != v) {
        throw new AssertionError("snapshot chunks of different versions");
      }
      v = c.getVersion();
      z.addAll(c.getZonesList());
      c.getEntriesList().forEach(e -> out.put(key(e.getKind().name(), e.getName()), e));
    }
    return new Snapshot(v, out, z);
  }

  @Override
  public void close() {
    context.cancel(null);
  }
}
