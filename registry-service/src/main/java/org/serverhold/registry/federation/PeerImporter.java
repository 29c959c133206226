package org.serverhold.registry.federation;

import static org.serverhold.registry.schema.Tables.FEDERATION_PEER_STATE;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Logger;
import org.serverhold.api.v1.BlacklistChange;
import org.serverhold.api.v1.BlacklistChangeKind;
import org.serverhold.api.v1.ExportedSource;
import org.serverhold.api.v1.FederationServiceGrpc;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.WatchBlacklistRequest;
import org.serverhold.registry.auth.BearerCredentials;
import org.serverhold.registry.database.Database;

/**
 * Pulls one peer's blacklist for as long as the registry runs: watches from the last version
 * applied here, applies each change in its own transaction (which moves the version), and on
 * any failure — the peer down, a broken stream, a change that fails validation — records the
 * error, waits (exponential backoff up to 30 s) and resumes from the stored version. One thread
 * per peer, so a peer that is down or sends garbage holds back only itself.
 */
public final class PeerImporter implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PeerImporter.class.getName());
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 30_000;

  private final PeerConfig peer;
  private final String registryId;
  private final ImportChangeFlow flow;
  private final Database db;
  private final ManagedChannel channel;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Context.CancellableContext current;

  public PeerImporter(PeerConfig peer, String registryId, ImportChangeFlow flow, Database db,
      List<ClientInterceptor> interceptors) {
    this.peer = peer;
    this.registryId = registryId;
    this.flow = flow;
    this.db = db;
    this.channel = channel(peer, interceptors);
    flow.ensurePeer(peer);
    this.thread = Thread.ofPlatform().daemon().name("federation-import-" + peer.id()).unstarted(this::loop);
  }

  static ManagedChannel channel(PeerConfig peer, List<ClientInterceptor> interceptors) {
    ChannelCredentials creds;
    try {
      if (!peer.tls()) {
        creds = InsecureChannelCredentials.create();
      } else if (peer.tlsCa() != null) {
        creds = TlsChannelCredentials.newBuilder().trustManager(peer.tlsCa().toFile()).build();
      } else {
        creds = TlsChannelCredentials.create();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("peer " + peer.id() + ": cannot read " + peer.tlsCa(), e);
    }
    return Grpc.newChannelBuilderForAddress(peer.host(), peer.port(), creds).intercept(interceptors)
        .maxInboundMessageSize(1024 * 1024).build();
  }

  public void start() {
    thread.start();
  }

  public PeerConfig peer() {
    return peer;
  }

  public boolean connected() {
    return channel.getState(false) == ConnectivityState.READY;
  }

  private void loop() {
    long backoff = MIN_BACKOFF_MS;
    while (!closed) {
      try {
        long from = flow.lastVersion(peer.id());
        Context.CancellableContext ctx = Context.current().withCancellation();
        current = ctx;
        try {
          Iterator<BlacklistChange> changes = ctx.call(() -> FederationServiceGrpc.newBlockingStub(channel)
              .withCallCredentials(new BearerCredentials(peer.token()))
              .watchBlacklist(WatchBlacklistRequest.newBuilder().setFromVersion(from).setRegistryId(registryId).build()));
          while (!closed && changes.hasNext()) {
            BlacklistChange c = changes.next();
            validate(c);
            flow.apply(peer, c);
            backoff = MIN_BACKOFF_MS;
          }
        } finally {
          ctx.cancel(null);
        }
        // the peer ended the stream (e.g. it is shutting down): reconnect after a short pause
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        String message = describe(e);
        LOG.warning(() -> "federation: peer " + peer.id() + ": " + message + " (retrying)");
        recordError(message);
      } catch (Exception e) {
        if (closed) {
          return;
        }
        recordError(describe(e));
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }

  static String describe(Exception e) {
    if (e instanceof StatusRuntimeException s) {
      return s.getStatus().getCode() + (s.getStatus().getDescription() == null ? "" : ": " + s.getStatus().getDescription());
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** Refuses a change that no honest member sends; nothing of it is applied. */
  static void validate(BlacklistChange c) {
    StringBuilder bad = new StringBuilder();
    if (c.getVersion() <= 0) {
      bad.append("version must be positive; ");
    }
    if (c.getKind() != BlacklistChangeKind.BLACKLIST_ADD && c.getKind() != BlacklistChangeKind.BLACKLIST_LIFT) {
      bad.append("unknown kind; ");
    }
    if (c.getFederationFingerprint().size() != 32) {
      bad.append("fingerprint is not 32 bytes; ");
    }
    if (c.getIdentityType() == IdentityType.IDENTITY_TYPE_UNSPECIFIED || c.getIdentityType() == IdentityType.UNRECOGNIZED) {
      bad.append("unknown identity type; ");
    }
    if (c.getSource() != ExportedSource.EXPORTED_MANUAL && c.getSource() != ExportedSource.EXPORTED_TAKEDOWN) {
      bad.append("unknown source; ");
    }
    text(bad, "source_entry_ref", c.getSourceEntryRef(), 64, "[A-Za-z0-9._:/-]+");
    text(bad, "source_registry_id", c.getSourceRegistryId(), 64, "[A-Za-z0-9._-]+");
    text(bad, "reason", c.getReason(), 512, null);
    text(bad, "authority", c.getAuthority(), 128, null);
    text(bad, "case_number", c.getCaseNumber(), 128, null);
    text(bad, "source_order", c.getSourceOrder(), 128, null);
    if (!bad.isEmpty()) {
      throw new ImportChangeFlow.PeerProtocolException("invalid change " + c.getVersion() + ": " + bad.toString().strip());
    }
  }

  private static void text(StringBuilder bad, String field, String value, int max, String pattern) {
    if (value.isBlank() || value.length() > max || (pattern != null && !value.matches(pattern))
        || value.chars().anyMatch(ch -> ch < 0x20)) {
      bad.append(field).append(" is missing or malformed; ");
    }
  }

  private void recordError(String message) {
    try {
      String m = message.length() > 1000 ? message.substring(0, 1000) : message;
      db.run(tx -> tx.update(FEDERATION_PEER_STATE).set(FEDERATION_PEER_STATE.LAST_ERROR, m)
          .set(FEDERATION_PEER_STATE.LAST_ERROR_MS, System.currentTimeMillis())
          .where(FEDERATION_PEER_STATE.PEER_ID.eq(peer.id())).execute());
    } catch (RuntimeException e) {
      LOG.warning(() -> "federation: cannot record the error of peer " + peer.id() + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    Context.CancellableContext ctx = current;
    if (ctx != null) {
      ctx.cancel(null);
    }
    thread.interrupt();
    channel.shutdownNow();
  }
}
