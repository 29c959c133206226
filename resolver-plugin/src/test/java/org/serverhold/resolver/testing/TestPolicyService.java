package org.serverhold.resolver.testing;

import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.serverhold.api.v1.AckPolicyRequest;
import org.serverhold.api.v1.AckPolicyResponse;
import org.serverhold.api.v1.Changeset;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.EntryKind;
import org.serverhold.api.v1.GetPolicySnapshotRequest;
import org.serverhold.api.v1.PolicyChange;
import org.serverhold.api.v1.PolicyEntry;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.PolicySnapshotChunk;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.api.v1.Resync;
import org.serverhold.api.v1.WatchPolicyRequest;

/**
 * A registry's policy feed in miniature: a policy (name -> entry), a changeset log, a real gRPC
 * server on a loopback port that can be stopped and restarted on the same port. The test drives
 * it; the client under test only sees gRPC.
 */
public final class TestPolicyService extends PolicyServiceGrpc.PolicyServiceImplBase implements AutoCloseable {
  private final Object lock = new Object();
  private final Map<String, PolicyEntry> policy = new TreeMap<>();
  private final List<String> zones = new ArrayList<>();
  /** Changeset log: version -> parts. */
  private final TreeMap<Long, List<Changeset>> log = new TreeMap<>();
  private long version;
  /** Injected updates sent to the next watcher instead of the log (gaps, resyncs, torn parts). */
  private final List<List<PolicyUpdate>> scripted = new ArrayList<>();
  public final BlockingQueue<Long> watchFrom = new LinkedBlockingQueue<>();
  public final BlockingQueue<Long> acks = new LinkedBlockingQueue<>();
  public final List<String> authorizations = new CopyOnWriteArrayList<>();
  public final AtomicInteger snapshotsServed = new AtomicInteger();
  private Server server;
  private int port;

  public TestPolicyService(long startVersion, String... zoneNames) {
    this.version = startVersion;
    zones.addAll(List.of(zoneNames));
  }

  public static PolicyEntry allow(String name) {
    return PolicyEntry.newBuilder().setKind(EntryKind.DOMAIN).setName(name).build();
  }

  public static PolicyEntry deny(String name, DenyReason reason, String ref) {
    return PolicyEntry.newBuilder().setKind(EntryKind.DOMAIN).setName(name).setReason(reason).setReference(ref).build();
  }

  public static PolicyChange put(PolicyEntry e) {
    return PolicyChange.newBuilder().setPut(e).build();
  }

  /** Puts entries into the snapshot at the current version (before any client connects). */
  public void seed(PolicyEntry... entries) {
    synchronized (lock) {
      for (PolicyEntry e : entries) {
        policy.put(e.getKind() + " " + e.getName(), e);
      }
    }
  }

  /** Commits a changeset, split into parts of {@code perPart} changes; returns its version. */
  public long commit(int perPart, PolicyChange... changes) {
    synchronized (lock) {
      long v = ++version;
      List<Changeset> parts = new ArrayList<>();
      for (int i = 0; i < changes.length || i == 0; i += perPart) {
        List<PolicyChange> slice = List.of(changes).subList(Math.min(i, changes.length),
            Math.min(changes.length, i + perPart));
        parts.add(Changeset.newBuilder().setVersion(v).addAllChanges(slice).setPart(parts.size()).setCause("test")
            .setCommitted(com.google.protobuf.Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000))
            .build());
      }
      parts.set(parts.size() - 1, parts.getLast().toBuilder().setLastPart(true).build());
      log.put(v, parts);
      for (PolicyChange c : changes) {
        if (c.hasPut()) {
          policy.put(c.getPut().getKind() + " " + c.getPut().getName(), c.getPut());
        } else if (c.hasRemove()) {
          policy.remove(c.getRemove().getKind() + " " + c.getRemove().getName());
        }
      }
      lock.notifyAll();
      return v;
    }
  }

  /** Commits a changeset that watchers will not be sent (they will see a gap). */
  public long commitSilently(PolicyChange... changes) {
    synchronized (lock) {
      long v = commit(1000, changes);
      log.remove(v);
      return v;
    }
  }

  /** The next watch stream sends exactly these updates, then fails (or ends, as given). */
  public void scriptNextWatch(PolicyUpdate... updates) {
    synchronized (lock) {
      scripted.add(List.of(updates));
    }
  }

  public static PolicyUpdate resync() {
    return PolicyUpdate.newBuilder().setResync(Resync.newBuilder().setMessage("take a snapshot")).build();
  }

  public List<Changeset> parts(long v) {
    synchronized (lock) {
      return log.get(v);
    }
  }

  public long version() {
    synchronized (lock) {
      return version;
    }
  }

  @Override
  public void getPolicySnapshot(GetPolicySnapshotRequest request, StreamObserver<PolicySnapshotChunk> out) {
    List<PolicyEntry> entries;
    long v;
    synchronized (lock) {
      entries = new ArrayList<>(policy.values());
      v = version;
    }
    snapshotsServed.incrementAndGet();
    int chunk = 2; // small chunks: exercise multi-chunk assembly
    for (int i = 0; i == 0 || i < entries.size(); i += chunk) {
      PolicySnapshotChunk.Builder b = PolicySnapshotChunk.newBuilder().setVersion(v)
          .addAllEntries(entries.subList(Math.min(i, entries.size()), Math.min(entries.size(), i + chunk)))
          .setLast(i + chunk >= entries.size());
      if (i == 0) {
        b.addAllZones(zones).setTotalEntries(entries.size());
      }
      out.onNext(b.build());
    }
    out.onCompleted();
  }

  @Override
  public void watchPolicy(WatchPolicyRequest request, StreamObserver<PolicyUpdate> response) {
    watchFrom.add(request.getFromVersion());
    var call = (ServerCallStreamObserver<PolicyUpdate>) response;
    List<PolicyUpdate> script = null;
    synchronized (lock) {
      if (!scripted.isEmpty()) {
        script = scripted.removeFirst();
      }
    }
    if (script != null) {
      for (PolicyUpdate u : script) {
        call.onNext(u);
      }
      call.onError(Status.UNAVAILABLE.withDescription("scripted stream ends").asRuntimeException());
      return;
    }
    long from = request.getFromVersion();
    Thread.ofVirtual().start(() -> {
      long sent = from;
      try {
        while (!call.isCancelled()) {
          List<Changeset> next;
          synchronized (lock) {
            while (version <= sent && !call.isCancelled()) {
              lock.wait(50);
            }
            if (call.isCancelled()) {
              return;
            }
            next = log.get(sent + 1);
          }
          if (next == null) {
            sent++; // silently skipped version: the client sees a gap on the next one
            continue;
          }
          for (Changeset c : next) {
            call.onNext(PolicyUpdate.newBuilder().setChangeset(c).build());
          }
          sent++;
        }
      } catch (InterruptedException | RuntimeException e) {
        // client gone or server stopping
      }
    });
  }

  @Override
  public void ackPolicy(AckPolicyRequest request, StreamObserver<AckPolicyResponse> response) {
    acks.add(request.getAppliedVersion());
    response.onNext(AckPolicyResponse.newBuilder().setCurrentVersion(version()).build());
    response.onCompleted();
  }

  /** Starts (or restarts, on the same port) the gRPC server. */
  public TestPolicyService start() throws IOException {
    ServerInterceptor auth = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String a = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
        authorizations.add(String.valueOf(a));
        return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(this, auth)).build().start();
    port = server.getPort();
    return this;
  }

  public void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    if (server != null) {
      stop();
    }
  }
}
