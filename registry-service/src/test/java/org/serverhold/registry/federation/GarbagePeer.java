package org.serverhold.registry.federation;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.serverhold.api.v1.BlacklistChange;
import org.serverhold.api.v1.BlacklistChangeKind;
import org.serverhold.api.v1.ExportedSource;
import org.serverhold.api.v1.FederationServiceGrpc;
import org.serverhold.api.v1.IdentityType;

/**
 * A "peer" on real gRPC that answers WatchBlacklist with garbage, a different kind on each
 * connection: bytes that are no protobuf message, a change with a 5-byte fingerprint, a change
 * that skips versions, an unknown identity type. Counts the connections it got.
 */
final class GarbagePeer implements AutoCloseable {
  final AtomicInteger connections = new AtomicInteger();
  private final Server server;

  GarbagePeer() {
    MethodDescriptor<byte[], byte[]> raw = FederationServiceGrpc.getWatchBlacklistMethod()
        .toBuilder(new Bytes(), new Bytes()).build();
    ServerServiceDefinition service = ServerServiceDefinition.builder(FederationServiceGrpc.SERVICE_NAME)
        .addMethod(raw, ServerCalls.asyncServerStreamingCall((byte[] request, io.grpc.stub.StreamObserver<byte[]> out) -> {
          int n = connections.incrementAndGet();
          long from;
          try {
            from = org.serverhold.api.v1.WatchBlacklistRequest.parseFrom(request).getFromVersion();
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            from = 0;
          }
          BlacklistChange.Builder valid = BlacklistChange.newBuilder().setVersion(from + 1)
              .setKind(BlacklistChangeKind.BLACKLIST_ADD)
              .setFederationFingerprint(ByteString.copyFrom(new byte[32]))
              .setIdentityType(IdentityType.RESIDENT_ID_CARD).setReason("r").setAuthority("a").setCaseNumber("c")
              .setSourceRegistryId("garbage").setSourceEntryRef("E1").setSource(ExportedSource.EXPORTED_MANUAL)
              .setSourceOrder("c");
          byte[] body = switch (n % 4) {
            case 0 -> {
              byte[] junk = new byte[64];
              ThreadLocalRandom.current().nextBytes(junk);
              junk[0] = (byte) 0xff; // not a valid field tag
              yield junk;
            }
            case 1 -> valid.setFederationFingerprint(ByteString.copyFrom(new byte[5])).build().toByteArray();
            case 2 -> valid.setVersion(from + 7).build().toByteArray();
            default -> valid.setIdentityTypeValue(99).build().toByteArray();
          };
          out.onNext(body);
          out.onCompleted();
        })).build();
    try {
      server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
