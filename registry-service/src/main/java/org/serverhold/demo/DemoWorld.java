package org.serverhold.demo;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.Filing;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.Registrant;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.api.v1.ServiceType;
import org.serverhold.api.v1.SponsorType;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.auth.BearerCredentials;
import org.serverhold.registry.auth.CredentialStore;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.holder.IdentityRules;

/**
 * A few demo domains for a newcomer's first run, created through the registry's own API (so
 * they reach the feed like any change): one filed and verified (resolves), one registered but
 * unfiled, a holder taken down with its second domain cascaded, and a flagged name outside our
 * zones. The names match the records of {@link #zoneFile()}.
 */
public final class DemoWorld {
  public static final String REGISTRAR = "demo-registrar";
  public static final List<String> RESOLVING = List.of("example-filed.cn", "www.example-filed.cn", "example.com");
  public static final List<String> DENIED = List.of("example-unfiled.cn", "alias.example-filed.cn", "casino-demo.cn",
      "casino-demo2.cn", "nobody-registered-this.cn", "bad.example.com", "www.bad.example.com");

  private DemoWorld() {}

  /** Seeds the demo if the demo registrar does not exist yet; returns whether it did. */
  public static boolean seedIfNew(CredentialStore credentials, int registryPort) {
    boolean exists = credentials.list().stream().anyMatch(c -> REGISTRAR.equals(c.registrarId()));
    if (exists) {
      return false;
    }
    Principal setup = Principal.system("demo");
    credentials.ensureRegistrar(setup, REGISTRAR, "Demo Registrar");
    String registrar = credentials.createToken(setup, "demo-registrar", Role.REGISTRAR, REGISTRAR, List.of(), "demo").token();
    String filing = credentials.createToken(setup, "demo-filing", Role.FILING_AUTHORITY, null, List.of(), "demo").token();
    String bureau = credentials.createToken(setup, "demo-bureau", Role.REGULATOR, null, List.of(), "demo").token();
    ManagedChannel ch = Grpc.newChannelBuilderForAddress("127.0.0.1", registryPort, InsecureChannelCredentials.create()).build();
    try {
      var reg = RegistrarServiceGrpc.newBlockingStub(ch).withCallCredentials(bearer(registrar)).withDeadlineAfter(30, TimeUnit.SECONDS);
      var fil = FilingServiceGrpc.newBlockingStub(ch).withCallCredentials(bearer(filing)).withDeadlineAfter(30, TimeUnit.SECONDS);
      var enf = EnforcementServiceGrpc.newBlockingStub(ch).withCallCredentials(bearer(bureau)).withDeadlineAfter(30, TimeUnit.SECONDS);
      Registrant zhang = registrant("zhang-san", IdentityRules.withResidentIdCheckDigit("11010519900101001"), "张三");
      Registrant casino = registrant("casino-owner", IdentityRules.withResidentIdCheckDigit("44030119800101002"), "赌场老板");
      for (String name : List.of("example-filed.cn", "example-unfiled.cn")) {
        reg.registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name).setRegistrant(zhang)
            .setYears(1).build());
      }
      for (String name : List.of("casino-demo.cn", "casino-demo2.cn")) {
        reg.registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name).setRegistrant(casino)
            .setYears(1).build());
      }
      for (String handle : List.of("zhang-san", "casino-owner")) {
        reg.verifyRegistrant(VerifyRegistrantRequest.newBuilder().setRequestId(rid()).setRegistrantHandle(handle)
            .setEvidenceRef("demo: checked in person").build());
      }
      fil.upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid()).setFiling(Filing.newBuilder()
          .setFilingNumber("京ICP备12345678号-1").setSponsorName("张三").setSponsorType(SponsorType.INDIVIDUAL)
          .setServiceType(ServiceType.WEBSITE).setServiceName("例子网").setAccessProvider("演示云")
          .addDomains("example-filed.cn").addDomains("casino-demo.cn").addDomains("casino-demo2.cn")).build());
      enf.takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain("casino-demo.cn")
          .setAuthority("演示公安局").setCaseNumber("2026-DEMO-1").setReason("illegal gambling (demo)").build());
      enf.flagDomain(FlagDomainRequest.newBuilder().setRequestId(rid()).setName("bad.example.com").setScope(FlagScope.SUBTREE)
          .setAuthority("演示公安局").setCaseNumber("2026-DEMO-2").setReason("phishing (demo)").build());
    } finally {
      ch.shutdownNow();
    }
    return true;
  }

  /** The demo's DNS data (master-file syntax), served by the built-in demo authority. */
  public static String zoneFile() {
    return """
        example-filed.cn.        300 IN A     192.0.2.10
        www.example-filed.cn.    300 IN CNAME example-filed.cn.
        alias.example-filed.cn.  300 IN CNAME www.example-unfiled.cn.
        example-unfiled.cn.      300 IN A     192.0.2.11
        www.example-unfiled.cn.  300 IN A     192.0.2.11
        casino-demo.cn.          300 IN A     192.0.2.12
        casino-demo2.cn.         300 IN A     192.0.2.13
        example.com.             300 IN A     192.0.2.20
        bad.example.com.         300 IN A     192.0.2.66
        www.bad.example.com.     300 IN A     192.0.2.66
        """;
  }

  private static Registrant registrant(String handle, String number, String name) {
    return Registrant.newBuilder().setHandle(handle).setIdentity(RegistrantIdentity.newBuilder()
        .setType(IdentityType.RESIDENT_ID_CARD).setNumber(number).setName(name)).build();
  }

  private static String rid() {
    return UUID.randomUUID().toString();
  }

  private static BearerCredentials bearer(String token) {
    return new BearerCredentials(token);
  }
}
