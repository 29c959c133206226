package org.serverhold.registry.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.logging.Logger;
import org.serverhold.api.v1.BlacklistChange;
import org.serverhold.api.v1.FederationServiceGrpc;
import org.serverhold.api.v1.WatchBlacklistRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.federation.Federation;

/**
 * The blacklist feed for peer registries (role PEER): every change of this registry's own
 * blacklist after the caller's version, in order, then live ones. Like the policy feed, each
 * stream runs on a virtual thread and waits while the transport is not ready (flow control), and
 * a revoked credential loses its open stream.
 */
public final class FederationGrpcService extends FederationServiceGrpc.FederationServiceImplBase {
  private static final Logger LOG = Logger.getLogger(FederationGrpcService.class.getName());
  static final int BATCH = 500;

  private final Federation federation;
  private final java.util.function.LongPredicate credentialActive;

  public FederationGrpcService(Federation federation, java.util.function.LongPredicate credentialActive) {
    this.federation = federation;
    this.credentialActive = credentialActive;
  }

  @Override
  public void watchBlacklist(WatchBlacklistRequest request, StreamObserver<BlacklistChange> response) {
    Principal caller = Caller.current();
    Violations v = new Violations();
    if (request.getFromVersion() < 0) {
      v.add("from_version", "must not be negative");
    }
    String member = request.getRegistryId().isEmpty() ? caller.name()
        : v.text("registry_id", request.getRegistryId(), false, 64);
    try {
      v.throwIfAny();
      if (!federation.settings().enabled()) {
        throw RegistryException.precondition("FEDERATION_DISABLED",
            "this registry has no federation key configured: it exports nothing");
      }
      if (request.getFromVersion() > federation.exportLog().latest()) {
        federation.exportLog().awaitAbove(request.getFromVersion() - 1, 2_000);
        if (request.getFromVersion() > federation.exportLog().latest()) {
          throw RegistryException.precondition("VERSION_AHEAD", "from_version " + request.getFromVersion()
              + " is ahead of this registry's blacklist log (" + federation.exportLog().latest() + ")");
        }
      }
    } catch (RegistryException e) {
      response.onError(GrpcErrors.toStatus(e));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.onError(io.grpc.Status.UNAVAILABLE.withDescription("stopping").asRuntimeException());
      return;
    }
    var call = (ServerCallStreamObserver<BlacklistChange>) response;
    StreamReadiness ready = new StreamReadiness(call);
    Thread.ofVirtual().name("federation-watch-" + member).start(() -> stream(call, ready, request.getFromVersion(),
        member, caller));
  }

  private void stream(ServerCallStreamObserver<BlacklistChange> call, StreamReadiness ready, long from, String member,
      Principal caller) {
    long sent = from;
    try {
      while (!ready.cancelled()) {
        long latest = federation.exportLog().awaitAbove(sent, 10_000);
        if (latest == sent) {
          if (!credentialActive.test(caller.credentialId())) {
            call.onError(io.grpc.Status.UNAUTHENTICATED.withDescription("the credential was revoked").asRuntimeException());
            return;
          }
          continue;
        }
        while (sent < latest && !ready.cancelled()) {
          List<BlacklistChange> batch = federation.exportLog().read(sent, latest, BATCH);
          if (batch.isEmpty()) {
            throw new IllegalStateException("the blacklist log has no change after " + sent + " below " + latest);
          }
          for (BlacklistChange c : batch) {
            ready.await();
            call.onNext(c);
            sent = c.getVersion();
          }
        }
      }
    } catch (StreamReadiness.Cancelled | InterruptedException e) {
      // the peer went away or the server is stopping
    } catch (RuntimeException e) {
      LOG.warning(() -> "blacklist watch of " + member + " ended: " + e.getMessage());
      try {
        call.onError(GrpcErrors.toStatus(e));
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
  }
}
