package org.serverhold.registry.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.serverhold.api.v1.AckPolicyRequest;
import org.serverhold.api.v1.AckPolicyResponse;
import org.serverhold.api.v1.Changeset;
import org.serverhold.api.v1.GetPolicySnapshotRequest;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.PolicySnapshotChunk;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.api.v1.Resync;
import org.serverhold.api.v1.WatchPolicyRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.policy.PolicyFeed;
import org.serverhold.registry.policy.PolicySnapshotReader;
import org.serverhold.registry.policy.PolicySubscribers;

/**
 * The resolvers' feed. Each stream runs on a virtual thread of its own and respects the
 * client's flow control (it waits while the transport is not ready), so a slow resolver holds
 * back only itself.
 */
public final class PolicyGrpcService extends PolicyServiceGrpc.PolicyServiceImplBase {
  private static final Logger LOG = Logger.getLogger(PolicyGrpcService.class.getName());

  private final PolicyFeed feed;
  private final PolicySnapshotReader snapshots;
  private final PolicySubscribers subscribers;
  private final java.util.function.LongPredicate credentialActive;

  /** @param credentialActive re-checked on open streams, so a revoked resolver's watch ends */
  public PolicyGrpcService(PolicyFeed feed, PolicySnapshotReader snapshots, PolicySubscribers subscribers,
      java.util.function.LongPredicate credentialActive) {
    this.feed = feed;
    this.snapshots = snapshots;
    this.subscribers = subscribers;
    this.credentialActive = credentialActive;
  }

  @Override
  public void getPolicySnapshot(GetPolicySnapshotRequest request, StreamObserver<PolicySnapshotChunk> response) {
    int requested = request.getMaxEntriesPerChunk();
    if (requested < 0 || requested > PolicySnapshotReader.MAX_CHUNK) {
      response.onError(GrpcErrors.toStatus(RegistryException.invalid("max_entries_per_chunk",
          "must be between 0 (default) and " + PolicySnapshotReader.MAX_CHUNK)));
      return;
    }
    int chunk = requested == 0 ? PolicySnapshotReader.DEFAULT_CHUNK : requested;
    var call = (ServerCallStreamObserver<PolicySnapshotChunk>) response;
    StreamReadiness ready = new StreamReadiness(call);
    Thread.ofVirtual().name("policy-snapshot").start(() -> {
      try {
        snapshots.read(chunk, c -> {
          ready.await();
          call.onNext(c);
        });
        call.onCompleted();
      } catch (StreamReadiness.Cancelled e) {
        // the client went away
      } catch (RuntimeException e) {
        call.onError(GrpcErrors.toStatus(e));
      }
    });
  }

  @Override
  public void watchPolicy(WatchPolicyRequest request, StreamObserver<PolicyUpdate> response) {
    Principal caller = Caller.current();
    Violations v = new Violations();
    String resolverId = request.getResolverId().isEmpty() ? caller.name()
        : v.text("resolver_id", request.getResolverId(), false, 128);
    if (request.getFromVersion() < 0) {
      v.add("from_version", "must not be negative");
    }
    try {
      v.throwIfAny();
    } catch (RegistryException e) {
      response.onError(GrpcErrors.toStatus(e));
      return;
    }
    var call = (ServerCallStreamObserver<PolicyUpdate>) response;
    StreamReadiness ready = new StreamReadiness(call);
    Thread.ofVirtual().name("policy-watch-" + resolverId).start(() -> stream(call, ready, request.getFromVersion(),
        resolverId, caller));
  }

  private void stream(ServerCallStreamObserver<PolicyUpdate> call, StreamReadiness ready, long from, String resolverId,
      Principal caller) {
    long sent = from;
    try {
      subscribers.acknowledge(resolverId, caller.name(), from);
      // A snapshot taken through another replica may be newer than this replica has seen yet.
      feed.awaitAbove(from - 1, 2_000);
      long oldest = feed.oldestRetained();
      if (from + 1 < oldest || from > feed.latest()) {
        ready.await();
        call.onNext(PolicyUpdate.newBuilder().setResync(Resync.newBuilder().setOldestRetainedVersion(oldest)
            .setCurrentVersion(feed.latest()).setMessage(from > feed.latest()
                ? "from_version is ahead of the registry: take a new snapshot"
                : "changes after from_version are no longer retained: take a new snapshot")).build());
        call.onCompleted();
        return;
      }
      while (!ready.cancelled()) {
        long latest = feed.awaitAbove(sent, 10_000);
        if (latest == sent && !credentialActive.test(caller.credentialId())) {
          call.onError(io.grpc.Status.UNAUTHENTICATED.withDescription("the credential was revoked").asRuntimeException());
          return;
        }
        for (long v = sent + 1; v <= latest && !ready.cancelled(); v++) {
          Optional<List<Changeset>> parts = feed.changeset(v);
          if (parts.isEmpty()) {
            ready.await();
            call.onNext(PolicyUpdate.newBuilder().setResync(Resync.newBuilder().setOldestRetainedVersion(feed.oldestRetained())
                .setCurrentVersion(latest).setMessage("changeset " + v + " is no longer retained")).build());
            call.onCompleted();
            return;
          }
          for (Changeset part : parts.get()) {
            ready.await();
            call.onNext(PolicyUpdate.newBuilder().setChangeset(part).build());
          }
          sent = v;
        }
      }
    } catch (StreamReadiness.Cancelled | InterruptedException e) {
      // the client went away or the server is stopping
    } catch (RuntimeException e) {
      LOG.warning(() -> "policy watch of " + resolverId + " ended: " + e.getMessage());
      try {
        call.onError(GrpcErrors.toStatus(e));
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
  }

  @Override
  public void ackPolicy(AckPolicyRequest request, StreamObserver<AckPolicyResponse> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String resolverId = v.text("resolver_id", request.getResolverId(), true, 128);
      if (request.getAppliedVersion() < 0 || request.getAppliedVersion() > feed.latest()) {
        v.add("applied_version", "must be between 0 and the current version " + feed.latest());
      }
      v.throwIfAny();
      subscribers.acknowledge(resolverId, caller.name(), request.getAppliedVersion());
      return AckPolicyResponse.newBuilder().setCurrentVersion(feed.latest()).build();
    });
  }
}
