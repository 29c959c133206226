package org.serverhold.registry.testing;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.registry.Registry;
import org.serverhold.registry.RegistryServer;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;

/**
 * A registry on a real port over a fresh real database, with one credential per role (and two
 * registrars, A and B) and stubs that send them. Close it after the test.
 */
public final class TestRegistry implements AutoCloseable {
  public final Database db;
  public final Registry registry;
  public final RegistryServer server;
  public final ManagedChannel channel;
  public final String registrarA;
  public final String registrarB;
  public final String regulator;
  public final String filingAuthority;
  public final String resolver;
  public final String admin;
  private final Path dataDir;
  private final boolean ownsDatabase;

  public TestRegistry() {
    this(Clock.systemUTC());
  }

  public TestRegistry(Clock clock) {
    this(clock, org.serverhold.registry.takedown.CascadePolicy.immediate());
  }

  public TestRegistry(Clock clock, org.serverhold.registry.takedown.CascadePolicy cascade) {
    this(clock, cascade, new org.serverhold.registry.auth.RateLimiter(10_000, 20_000));
  }

  public TestRegistry(Clock clock, org.serverhold.registry.takedown.CascadePolicy cascade,
      org.serverhold.registry.auth.RateLimiter rates) {
    this(clock, cascade, rates, org.serverhold.registry.federation.FederationSettings.none());
  }

  /** A federation member: its registry id and the key the members share. */
  public TestRegistry(org.serverhold.registry.federation.FederationSettings federation) {
    this(Clock.systemUTC(), org.serverhold.registry.takedown.CascadePolicy.immediate(),
        new org.serverhold.registry.auth.RateLimiter(10_000, 20_000), federation);
  }

  public TestRegistry(Clock clock, org.serverhold.registry.takedown.CascadePolicy cascade,
      org.serverhold.registry.auth.RateLimiter rates, org.serverhold.registry.federation.FederationSettings federation) {
    this(tempDir(), null, new HolderKeys(HolderKeys.newKey(), HolderKeys.newKey()), clock, cascade, rates, federation);
  }

  /**
   * A registry and server over a database the caller owns (close() leaves it alone): for tests
   * that restart the registry or the database underneath it. Each instance makes new tokens.
   */
  public static TestRegistry over(Database db, HolderKeys keys) {
    return new TestRegistry(tempDir(), db, keys, Clock.systemUTC(),
        org.serverhold.registry.takedown.CascadePolicy.immediate(),
        new org.serverhold.registry.auth.RateLimiter(10_000, 20_000),
        org.serverhold.registry.federation.FederationSettings.none());
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("serverhold-test");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private TestRegistry(Path dataDir, Database external, HolderKeys keys, Clock clock,
      org.serverhold.registry.takedown.CascadePolicy cascade, org.serverhold.registry.auth.RateLimiter rates,
      org.serverhold.registry.federation.FederationSettings federation) {
    this.dataDir = dataDir;
    this.ownsDatabase = external == null;
    this.db = external == null ? TestDatabases.fresh(dataDir) : external;
    this.registry = new Registry(db, keys, RegistryConfig.DEFAULT_ZONES, cascade, rates, federation, clock);
    this.server = new RegistryServer(new RegistryConfig("127.0.0.1", 0, null, RegistryConfig.DEFAULT_ZONES, null, null,
        null, false), registry, extraServices(registry));
    Principal setup = Principal.system("test-setup");
    registry.credentials.ensureRegistrar(setup, "reg-a", "Registrar A");
    registry.credentials.ensureRegistrar(setup, "reg-b", "Registrar B");
    this.registrarA = registry.credentials.createToken(setup, "registrar-a", Role.REGISTRAR, "reg-a", List.of(), "").token();
    this.registrarB = registry.credentials.createToken(setup, "registrar-b", Role.REGISTRAR, "reg-b", List.of(), "").token();
    this.regulator = registry.credentials.createToken(setup, "bureau-1", Role.REGULATOR, null, List.of(), "").token();
    this.filingAuthority = registry.credentials.createToken(setup, "miit", Role.FILING_AUTHORITY, null, List.of(), "").token();
    this.resolver = registry.credentials.createToken(setup, "resolver-1", Role.RESOLVER, null, List.of(), "").token();
    this.admin = registry.credentials.createToken(setup, "admin", Role.ADMIN, null, List.of(), "").token();
    this.channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create()).build();
  }

  /** Services beyond the registry's core ones (the policy feed) come from the registry itself. */
  private static List<io.grpc.BindableService> extraServices(Registry registry) {
    return registry.extraServices();
  }

  public static CallCredentials bearer(String token) {
    return new org.serverhold.registry.auth.BearerCredentials(token);
  }

  public static <S extends AbstractStub<S>> S as(S stub, String token) {
    return stub.withCallCredentials(bearer(token)).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  public RegistrarServiceGrpc.RegistrarServiceBlockingStub registrar(String token) {
    return as(RegistrarServiceGrpc.newBlockingStub(channel), token);
  }

  public FilingServiceGrpc.FilingServiceBlockingStub filing(String token) {
    return as(FilingServiceGrpc.newBlockingStub(channel), token);
  }

  public EnforcementServiceGrpc.EnforcementServiceBlockingStub enforcement(String token) {
    return as(EnforcementServiceGrpc.newBlockingStub(channel), token);
  }

  public PolicyServiceGrpc.PolicyServiceBlockingStub policy(String token) {
    return as(PolicyServiceGrpc.newBlockingStub(channel), token);
  }

  public org.serverhold.api.v1.FederationAdminServiceGrpc.FederationAdminServiceBlockingStub federationAdmin(String token) {
    return as(org.serverhold.api.v1.FederationAdminServiceGrpc.newBlockingStub(channel), token);
  }

  /** A new PEER credential issued by this registry (what a member configures as its token for us). */
  public String peerToken(String principal) {
    return registry.credentials.createToken(Principal.system("test-setup"), principal, Role.PEER, null, List.of(), "")
        .token();
  }

  public String target() {
    return "127.0.0.1:" + server.port();
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.close();
    registry.close();
    if (ownsDatabase) {
      TestDatabases.drop(db);
      db.close();
    }
  }
}
