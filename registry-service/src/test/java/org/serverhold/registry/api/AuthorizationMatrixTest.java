package org.serverhold.registry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.serverhold.api.v1.DeleteDomainRequest;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.ListDomainsRequest;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.api.v1.TransferDomainRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.auth.Cidr;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.testing.TestRegistry;

/**
 * Authorization, built from the service descriptors: every RPC of every service, called with no
 * credential, garbage, a revoked credential, every role that must not call it and every role that
 * may. A new RPC (or a new service) without a rule in {@link AccessPolicy} fails here, because
 * the expected roles are written out below independently of the policy and the policy is deny by
 * default.
 */
class AuthorizationMatrixTest {
  static TestRegistry r;
  static String revokedToken;
  static String peerToken;

  /**
   * The contract: who may call each service. Written here, not read from AccessPolicy, so widening
   * the policy (e.g. letting a registrar call the enforcement API) fails this test.
   */
  static final Map<String, Set<Role>> ALLOWED = Map.of(
      RegistrarServiceGrpc.SERVICE_NAME, EnumSet.of(Role.REGISTRAR),
      FilingServiceGrpc.SERVICE_NAME, EnumSet.of(Role.FILING_AUTHORITY, Role.REGULATOR),
      EnforcementServiceGrpc.SERVICE_NAME, EnumSet.of(Role.REGULATOR),
      PolicyServiceGrpc.SERVICE_NAME, EnumSet.of(Role.RESOLVER),
      org.serverhold.api.v1.FederationServiceGrpc.SERVICE_NAME, EnumSet.of(Role.PEER),
      org.serverhold.api.v1.FederationAdminServiceGrpc.SERVICE_NAME, EnumSet.of(Role.REGULATOR));

  /** Methods where an ADMIN joins: reading orders and lifting permanent entries; it issues no orders. */
  static final Set<String> ADMIN_ALSO = Set.of("RemoveFromBlacklist", "LiftTakedown", "ListBlacklist", "CheckHolder",
      "GetTakedown", "ListTakedowns", "ListFlags");

  /** Federation administration an ADMIN may read (status, the review queue); deciding is a regulator's. */
  static final Set<String> ADMIN_ALSO_FEDERATION = Set.of("GetFederationStatus", "ListReviews");

  static Set<Role> allowed(io.grpc.MethodDescriptor<?, ?> m) {
    Set<Role> roles = EnumSet.copyOf(ALLOWED.get(m.getServiceName()));
    if (m.getServiceName().equals(EnforcementServiceGrpc.SERVICE_NAME) && ADMIN_ALSO.contains(m.getBareMethodName())) {
      roles.add(Role.ADMIN);
    }
    if (m.getServiceName().equals(org.serverhold.api.v1.FederationAdminServiceGrpc.SERVICE_NAME)
        && ADMIN_ALSO_FEDERATION.contains(m.getBareMethodName())) {
      roles.add(Role.ADMIN);
    }
    return roles;
  }

  static final List<ServiceDescriptor> SERVICES = List.of(RegistrarServiceGrpc.getServiceDescriptor(),
      FilingServiceGrpc.getServiceDescriptor(), EnforcementServiceGrpc.getServiceDescriptor(),
      PolicyServiceGrpc.getServiceDescriptor(), org.serverhold.api.v1.FederationServiceGrpc.getServiceDescriptor(),
      org.serverhold.api.v1.FederationAdminServiceGrpc.getServiceDescriptor());

  @BeforeAll
  static void start() {
    r = new TestRegistry();
    Principal setup = Principal.system("test-setup");
    peerToken = r.registry.credentials.createToken(setup, "peer-1", Role.PEER, null, List.of(), "").token();
    var created = r.registry.credentials.createToken(setup, "soon-revoked", Role.REGULATOR, null, List.of(), "");
    revokedToken = created.token();
    // The credential works before it is revoked, so its refusal below is the revocation's doing.
    assertThat(call(EnforcementServiceGrpc.getListBlacklistMethod(), "Bearer " + revokedToken))
        .isEqualTo(Status.Code.OK);
    r.registry.credentials.revoke(setup, created.credential().id(), r.registry.clock.instant());
  }

  @AfterAll
  static void stop() {
    r.close();
  }

  /** One token per role: registrar A stands for REGISTRAR (B is checked as a second principal). */
  static Map<Role, String> tokenPerRole() {
    Map<Role, String> m = new EnumMap<>(Role.class);
    m.put(Role.REGISTRAR, r.registrarA);
    m.put(Role.REGULATOR, r.regulator);
    m.put(Role.FILING_AUTHORITY, r.filingAuthority);
    m.put(Role.RESOLVER, r.resolver);
    m.put(Role.ADMIN, r.admin);
    m.put(Role.PEER, peerToken);
    return m;
  }

  static Stream<MethodDescriptor<?, ?>> everyMethod() {
    return SERVICES.stream().flatMap(s -> s.getMethods().stream());
  }

  /**
   * Sends the method's default request with the given authorization header (null: none) and
   * returns the status code. A server-streaming call is judged by its first message or its error.
   */
  @SuppressWarnings("unchecked")
  static Status.Code call(MethodDescriptor<?, ?> descriptor, String authorization) {
    return call(r.channel, descriptor, authorization);
  }

  @SuppressWarnings("unchecked")
  static Status.Code call(ManagedChannel channel, MethodDescriptor<?, ?> descriptor, String authorization) {
    var proto = (MethodDescriptor.PrototypeMarshaller<Message>) descriptor.getRequestMarshaller();
    Message request = proto.getMessagePrototype();
    Message responsePrototype = ((MethodDescriptor.PrototypeMarshaller<Message>) descriptor.getResponseMarshaller())
        .getMessagePrototype();
    // A generic copy of the descriptor: same name and type, marshallers built from the prototypes.
    MethodDescriptor<Message, Message> method = ((MethodDescriptor<Message, Message>) descriptor)
        .toBuilder(ProtoUtils.marshaller(request), ProtoUtils.marshaller(responsePrototype)).build();
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
    if (authorization != null) {
      options = options.withCallCredentials(header(authorization));
    }
    try {
      if (method.getType() == MethodDescriptor.MethodType.UNARY) {
        ClientCalls.blockingUnaryCall(channel, method, options, request);
        return Status.Code.OK;
      }
      assertThat(method.getType()).isEqualTo(MethodDescriptor.MethodType.SERVER_STREAMING);
      Context.CancellableContext ctx = Context.current().withCancellation();
      try {
        CallOptions o = options;
        return ctx.call(() -> {
          Iterator<Message> it = ClientCalls.blockingServerStreamingCall(channel, method, o, request);
          it.hasNext(); // the first message, or the error
          return Status.Code.OK;
        });
      } finally {
        ctx.cancel(null); // a watch stays open: we have what we came for
      }
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static CallCredentials header(String value) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value);
        applier.apply(m);
      }
    };
  }

  /**
   * Protects: no RPC works without a valid, unrevoked credential; no role reaches an RPC that is
   * not its own; and every role that should reach an RPC does (the refusals are not just "deny
   * everything"). Also: no default request, from the right role, makes the server fail (INTERNAL).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("everyMethod")
  void everyMethodAgainstEveryKindOfCaller(MethodDescriptor<?, ?> method) {
    String name = method.getFullMethodName();
    assertThat(ALLOWED.get(method.getServiceName())).as("a rule for service %s", method.getServiceName()).isNotNull();
    Set<Role> allowed = allowed(method);

    Map<String, Status.Code> got = new LinkedHashMap<>();
    got.put("no credential", call(method, null));
    got.put("garbage bearer token", call(method, "Bearer sh_thisIsNotAToken0000000000000000000000000"));
    got.put("not a bearer header", call(method, "Basic dXNlcjpwYXNz"));
    got.put("oversized token", call(method, "Bearer " + "A".repeat(4000)));
    got.put("revoked credential", call(method, "Bearer " + revokedToken));
    for (String label : List.of("no credential", "garbage bearer token", "not a bearer header", "oversized token",
        "revoked credential")) {
      assertThat(got.get(label)).as("%s with %s", name, label).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    Map<String, String> rightCallers = new LinkedHashMap<>();
    tokenPerRole().forEach((role, token) -> {
      if (allowed.contains(role)) {
        rightCallers.put(role.name(), token);
      } else {
        assertThat(call(method, "Bearer " + token)).as("%s called by wrong role %s", name, role)
            .isEqualTo(Status.Code.PERMISSION_DENIED);
      }
    });
    if (allowed.contains(Role.REGISTRAR)) {
      rightCallers.put("REGISTRAR (registrar B)", r.registrarB);
    }
    assertThat(rightCallers).isNotEmpty();
    rightCallers.forEach((who, token) -> assertThat(call(method, "Bearer " + token))
        .as("%s called by the right role %s", name, who)
        .isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED, Status.Code.INTERNAL, Status.Code.UNKNOWN));
  }

  /** Protects: the policy the server runs with has a rule for every RPC, and exactly the intended roles. */
  @Test
  void theStandardPolicyCoversEveryMethodWithExactlyTheIntendedRoles() {
    AccessPolicy policy = AccessPolicy.standard();
    List<String> methods = everyMethod().map(MethodDescriptor::getFullMethodName).toList();
    assertThat(methods).hasSizeGreaterThanOrEqualTo(26);
    everyMethod().forEach(m -> {
      assertThat(policy.covers(m.getFullMethodName())).as("rule for %s", m.getFullMethodName()).isTrue();
      assertThat(policy.rolesFor(m.getFullMethodName())).as("roles of %s", m.getFullMethodName())
          .containsExactlyInAnyOrderElementsOf(allowed(m));
    });
  }

  /**
   * Protects: a service the server exposes but this test (and so, likely, the policy) does not know
   * is caught. The list comes from the live server's reflection; only health and reflection are open.
   */
  @Test
  void theServerExposesNoServiceOutsideTheMatrix() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(r.channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse response = answer.get(60, TimeUnit.SECONDS);
    requests.onCompleted();
    List<String> exposed = response.getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();
    List<String> open = List.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection");
    assertThat(exposed).containsAll(ALLOWED.keySet());
    assertThat(exposed).allSatisfy(s -> assertThat(ALLOWED.containsKey(s) || open.contains(s))
        .as("service %s is neither in the authorization matrix nor an open service", s).isTrue());
  }

  /**
   * Protects deny-by-default: a method the policy does not name is refused to every role, both in
   * the policy ({@code rolesFor} is empty) and through the real interceptor, whose handler never runs.
   */
  @Test
  void aMethodMissingFromThePolicyIsRefusedToEveryRole() throws Exception {
    AccessPolicy policy = AccessPolicy.standard();
    for (String madeUp : List.of("serverhold.v1.RegistrarService/MadeUpMethod", "serverhold.v1.Unlisted/DoThing",
        "", "grpc.health.v1.Health/Check")) {
      assertThat(policy.rolesFor(madeUp)).as(madeUp).isEmpty();
      assertThat(policy.covers(madeUp)).as(madeUp).isFalse();
    }

    MethodDescriptor<Empty, Empty> unlisted = MethodDescriptor.<Empty, Empty>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("serverhold.v1.Unlisted/DoThing")
        .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
        .build();
    AtomicInteger ran = new AtomicInteger();
    ServerServiceDefinition service = ServerServiceDefinition.builder("serverhold.v1.Unlisted")
        .addMethod(unlisted, ServerCalls.asyncUnaryCall((Empty req, StreamObserver<Empty> out) -> {
          ran.incrementAndGet();
          out.onNext(Empty.getDefaultInstance());
          out.onCompleted();
        })).build();
    String name = "authz-" + rid();
    Server server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(service, new AuthInterceptor(r.registry.credentials, policy,
            new org.serverhold.registry.auth.RateLimiter(1000, 1000))))
        .build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      for (var e : tokenPerRole().entrySet()) {
        assertThat(call(channel, unlisted, "Bearer " + e.getValue())).as("unlisted method called by %s", e.getKey())
            .isEqualTo(Status.Code.PERMISSION_DENIED);
      }
      assertThat(call(channel, unlisted, null)).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(ran).hasValue(0);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  static Domain registerA(String name, String handle, long person) {
    return r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid())
        .setDomain(name).setRegistrant(registrant(handle, person(person))).setYears(1).build());
  }

  /**
   * Protects registrar isolation: registrar B can neither read, delete, transfer, list nor verify
   * registrar A's records, and A's domain is untouched afterwards. The refusals are NOT_FOUND (they
   * must not reveal that the name is registered elsewhere).
   */
  @Test
  void registrarBCannotSeeOrTouchRegistrarAsDomains() {
    Domain mine = registerA("isolated-a.cn", "iso-a", 7001);
    List<Runnable> attempts = new ArrayList<>();
    attempts.add(() -> r.registrar(r.registrarB).getDomain(GetDomainRequest.newBuilder().setDomain("isolated-a.cn").build()));
    attempts.add(() -> r.registrar(r.registrarB).deleteDomain(DeleteDomainRequest.newBuilder().setRequestId(rid())
        .setDomain("isolated-a.cn").build()));
    attempts.add(() -> r.registrar(r.registrarB).transferDomain(TransferDomainRequest.newBuilder().setRequestId(rid())
        .setDomain("isolated-a.cn").setNewRegistrant(registrant("iso-b", person(7002))).build()));
    attempts.add(() -> r.registrar(r.registrarB).verifyRegistrant(VerifyRegistrantRequest.newBuilder()
        .setRequestId(rid()).setRegistrantHandle("iso-a").setEvidenceRef("counter 1").build()));
    for (Runnable attempt : attempts) {
      assertThatThrownBy(attempt::run).isInstanceOfSatisfying(StatusRuntimeException.class,
          e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
    assertThat(r.registrar(r.registrarB).listDomains(ListDomainsRequest.newBuilder().setIncludeDeleted(true).build())
        .getDomainsList()).extracting(Domain::getName).doesNotContain("isolated-a.cn");
    assertThat(r.registrar(r.registrarB).listDomains(ListDomainsRequest.newBuilder().setRegistrantHandle("iso-a")
        .setIncludeDeleted(true).build()).getDomainsList()).isEmpty();

    Domain after = r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain("isolated-a.cn").build());
    assertThat(after).isEqualTo(mine);
  }

  /**
   * Protects source-address binding: a credential bound to ranges that exclude the caller is
   * refused PERMISSION_DENIED on every call; one whose range includes the caller works.
   */
  @Test
  void aCredentialBoundToSourceRangesWorksOnlyFromThem() {
    Principal setup = Principal.system("test-setup");
    String elsewhere = r.registry.credentials.createToken(setup, "bound-elsewhere", Role.REGULATOR, null,
        List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1/128")), "").token();
    String loopback = r.registry.credentials.createToken(setup, "bound-loopback", Role.REGULATOR, null,
        List.of(Cidr.parse("127.0.0.0/8")), "").token();
    String single = r.registry.credentials.createToken(setup, "bound-single", Role.REGULATOR, null,
        List.of(Cidr.parse("127.0.0.1/32")), "").token();
    String neighbour = r.registry.credentials.createToken(setup, "bound-neighbour", Role.REGULATOR, null,
        List.of(Cidr.parse("127.0.0.2/32")), "").token();

    var list = EnforcementServiceGrpc.getListBlacklistMethod();
    assertThat(call(list, "Bearer " + elsewhere)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(call(list, "Bearer " + neighbour)).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(call(list, "Bearer " + loopback)).isEqualTo(Status.Code.OK);
    assertThat(call(list, "Bearer " + single)).isEqualTo(Status.Code.OK);
    // the binding is checked before the role: a bound credential reveals nothing from elsewhere
    assertThat(call(RegistrarServiceGrpc.getListDomainsMethod(), "Bearer " + elsewhere))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  /** Protects: load balancers and stock tools can probe health with no credential at all (and with a bad one). */
  @Test
  void healthWorksWithoutACredential() {
    var health = HealthGrpc.newBlockingStub(r.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(health.withCallCredentials(header("Bearer garbage")).check(HealthCheckRequest.getDefaultInstance())
        .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
  }
}
