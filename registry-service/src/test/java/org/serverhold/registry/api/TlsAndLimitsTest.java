package org.serverhold.registry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.ListDomainsRequest;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.registry.RegistryServer;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.RateLimiter;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.takedown.CascadePolicy;
import org.serverhold.registry.testing.TestRegistry;

/** TLS, client certificates as credentials, and per-credential rate limits, end to end. */
class TlsAndLimitsTest {
  static TestRegistry r;
  static RegistryServer tls;
  static Path dir;
  static KeyPair caKey;
  static X509Certificate ca;

  @BeforeAll
  static void start() throws Exception {
    r = new TestRegistry(Clock.systemUTC(), CascadePolicy.immediate(), new RateLimiter(5, 5));
    dir = Files.createTempDirectory("serverhold-tls");
    caKey = keyPair();
    ca = certificate("CN=serverhold test CA", caKey, "CN=serverhold test CA", caKey, true, false);
    KeyPair serverKey = keyPair();
    X509Certificate server = certificate("CN=127.0.0.1", serverKey, "CN=serverhold test CA", caKey, false, true);
    writePem(dir.resolve("ca.pem"), ca);
    writePem(dir.resolve("server.pem"), server);
    writeKey(dir.resolve("server.key"), serverKey);
    tls = new RegistryServer(new RegistryConfig("127.0.0.1", 0, null, RegistryConfig.DEFAULT_ZONES,
        dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("ca.pem"), false), r.registry,
        r.registry.extraServices());
  }

  @AfterAll
  static void stop() {
    tls.close();
    r.close();
  }

  static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  static X509Certificate certificate(String subject, KeyPair key, String issuer, KeyPair issuerKey, boolean isCa,
      boolean serverName) throws Exception {
    var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(System.nanoTime()),
        Date.from(Instant.now().minus(1, ChronoUnit.DAYS)), Date.from(Instant.now().plus(1, ChronoUnit.DAYS)),
        new X500Name(subject), key.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (serverName) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    }
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  static void writePem(Path file, Object o) throws Exception {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    Files.writeString(file, s.toString());
  }

  static void writeKey(Path file, KeyPair key) throws Exception {
    writePem(file, new JcaPKCS8Generator(key.getPrivate(), null));
  }

  ManagedChannel tlsChannel(Path clientCert, Path clientKey) throws Exception {
    var creds = TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile());
    if (clientCert != null) {
      creds.keyManager(clientCert.toFile(), clientKey.toFile());
    }
    return Grpc.newChannelBuilderForAddress("127.0.0.1", tls.port(), creds.build()).build();
  }

  /** Protects certificate authentication: a client certificate from the CA, registered as a credential, is the credential. */
  @Test
  void aClientCertificateIsACredentialUntilRevoked() throws Exception {
    KeyPair clientKey = keyPair();
    X509Certificate client = certificate("CN=registrar-a-cert", clientKey, "CN=serverhold test CA", caKey, false, false);
    writePem(dir.resolve("client.pem"), client);
    writeKey(dir.resolve("client.key"), clientKey);
    String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(client.getEncoded()));
    var credential = r.registry.credentials.createCertificate(Principal.system("test"), "registrar-a-cert", Role.REGISTRAR,
        "reg-a", List.of(), "", fingerprint);

    ManagedChannel channel = tlsChannel(dir.resolve("client.pem"), dir.resolve("client.key"));
    try {
      var stub = RegistrarServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      assertThat(stub.listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList()).isNotNull();
      r.registry.credentials.revoke(Principal.system("test"), credential.id(), Instant.now());
      assertThatThrownBy(() -> RegistrarServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .listDomains(ListDomainsRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    } finally {
      channel.shutdownNow();
    }
  }

  /** Protects against a downgrade: a plaintext client cannot talk to the TLS port at all. */
  @Test
  void aPlaintextClientIsRefusedByTheTlsPort() {
    ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", tls.port(), InsecureChannelCredentials.create()).build();
    try {
      assertThatThrownBy(() -> TestRegistry.as(RegistrarServiceGrpc.newBlockingStub(plain), r.registrarA)
          .withDeadlineAfter(10, TimeUnit.SECONDS).listDomains(ListDomainsRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL));
    } finally {
      plain.shutdownNow();
    }
  }

  /** A TLS client without certificate still needs a token; with a token it works (the certificate is optional here). */
  @Test
  void aTlsClientWithoutCertificateNeedsAToken() throws Exception {
    ManagedChannel channel = tlsChannel(null, null);
    try {
      assertThatThrownBy(() -> RegistrarServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .listDomains(ListDomainsRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    } finally {
      channel.shutdownNow();
    }
  }

  /** Protects the others from one noisy credential: past its burst it is answered RESOURCE_EXHAUSTED, others are not. */
  @Test
  void aCredentialOverItsRateIsRefusedAndOthersAreNot() {
    var noisy = r.registry.credentials.createToken(Principal.system("test"), "noisy", Role.REGISTRAR, "reg-b", List.of(), "").token();
    int exhausted = 0;
    for (int i = 0; i < 30; i++) {
      try {
        r.registrar(noisy).listDomains(ListDomainsRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        exhausted++;
      }
    }
    assertThat(exhausted).isPositive();
    assertThat(r.registrar(r.registrarA).listDomains(ListDomainsRequest.getDefaultInstance())).isNotNull();
  }
}
