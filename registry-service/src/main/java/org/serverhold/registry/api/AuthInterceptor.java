package org.serverhold.registry.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.serverhold.registry.auth.Credential;
import org.serverhold.registry.auth.CredentialStore;
import org.serverhold.registry.auth.RateLimiter;
import org.serverhold.registry.auth.Role;

/**
 * Authenticates every call (bearer token, or a client certificate when TLS with a client CA is
 * on), checks the credential's source-address binding (fail-closed: an address that cannot be
 * read is refused), the method's allowed roles and the credential's call rate. Health and reflection are open; everything
 * else needs a credential. Refusals say nothing about what exists.
 */
public final class AuthInterceptor implements ServerInterceptor {
  private static final Logger LOG = Logger.getLogger(AuthInterceptor.class.getName());
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> OPEN_SERVICES = Set.of("grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private final CredentialStore credentials;
  private final AccessPolicy policy;
  private final RateLimiter rates;

  public AuthInterceptor(CredentialStore credentials, AccessPolicy policy, RateLimiter rates) {
    this.credentials = credentials;
    this.policy = policy;
    this.rates = rates;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Optional<Credential> credential;
    try {
      credential = authenticate(call, headers);
    } catch (RuntimeException e) {
      LOG.warning(() -> "credential lookup failed: " + e.getClass().getSimpleName());
      return refuse(call, Status.UNAVAILABLE.withDescription("the registry cannot check credentials right now"));
    }
    if (credential.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("a valid credential is required"));
    }
    Credential c = credential.get();
    if (!c.active()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("a valid credential is required"));
    }
    if (!c.allowedSources().isEmpty() && !fromAllowedSource(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), c)) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription("this credential may not be used from this address"));
    }
    Set<Role> allowed = policy.rolesFor(method);
    if (!allowed.contains(c.role())) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription("role " + c.role() + " may not call " + method));
    }
    if (!rates.tryAcquire(c.id())) {
      return refuse(call, Status.RESOURCE_EXHAUSTED.withDescription("this credential is over its call rate; slow down"));
    }
    Context ctx = Context.current().withValue(Caller.KEY, c.asPrincipal());
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private Optional<Credential> authenticate(ServerCall<?, ?> call, Metadata headers) {
    String auth = headers.get(AUTHORIZATION);
    if (auth != null) {
      if (!auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() > 200) {
        return Optional.empty();
      }
      return credentials.byToken(auth.substring(7).strip());
    }
    SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (ssl != null) {
      try {
        Certificate[] chain = ssl.getPeerCertificates();
        if (chain.length > 0) {
          byte[] digest = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
          return credentials.byCertificate(HexFormat.of().formatHex(digest));
        }
      } catch (SSLPeerUnverifiedException e) {
        return Optional.empty();
      } catch (Exception e) {
        throw new IllegalStateException("cannot read the client certificate", e);
      }
    }
    return Optional.empty();
  }

  private static boolean fromAllowedSource(SocketAddress remote, Credential c) {
    if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return false;
    }
    InetAddress address = inet.getAddress();
    return c.allowedSources().stream().anyMatch(cidr -> cidr.contains(address));
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
