package org.serverhold.registry.api;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.serverhold.api.v1.BlacklistSource;
import org.serverhold.api.v1.DomainState;
import org.serverhold.api.v1.FilingStatus;
import org.serverhold.api.v1.HoldReason;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.RefusalReason;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.ServiceType;
import org.serverhold.api.v1.SponsorType;
import org.serverhold.registry.blacklist.BlacklistEntry;
import org.serverhold.registry.domain.Hold;
import org.serverhold.registry.domain.RegisteredDomain;
import org.serverhold.registry.filing.Filing;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.Masking;
import org.serverhold.registry.holder.Registrant;

/** Between the rules' records and the wire's messages. Identity numbers leave masked unless revealed on purpose. */
final class ProtoMapper {
  private ProtoMapper() {}

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  static org.serverhold.api.v1.Domain domain(RegisteredDomain d) {
    var b = org.serverhold.api.v1.Domain.newBuilder()
        .setName(d.name().ascii())
        .setUnicodeName(d.name().unicode())
        .setZone(d.zone())
        .setRegistrarId(d.registrarId())
        .setRegistrantHandle(d.registrantHandle())
        .setState(DomainState.valueOf(d.state().name()))
        .setFilingNumber(d.filingNumber())
        .setResolvable(d.resolvable())
        .setHolderId("H" + d.holderId());
    if (d.created() != null) {
      b.setCreated(timestamp(d.created()));
    }
    if (d.expires() != null) {
      b.setExpires(timestamp(d.expires()));
    }
    for (Hold h : d.holds()) {
      var hold = org.serverhold.api.v1.Hold.newBuilder().setReason(hold(h.reason())).setReference(h.reference());
      if (h.since() != null) {
        hold.setSince(timestamp(h.since()));
      }
      b.addHolds(hold);
    }
    return b.build();
  }

  static HoldReason hold(org.serverhold.registry.domain.HoldReason r) {
    return HoldReason.valueOf("HOLD_" + r.name());
  }

  static RefusalReason refusal(org.serverhold.registry.domain.RefusalReason r) {
    return RefusalReason.valueOf(r.name());
  }

  static org.serverhold.registry.holder.IdentityType identityType(IdentityType t) {
    return switch (t) {
      case RESIDENT_ID_CARD -> org.serverhold.registry.holder.IdentityType.RESIDENT_ID_CARD;
      case PASSPORT -> org.serverhold.registry.holder.IdentityType.PASSPORT;
      case BUSINESS_LICENCE -> org.serverhold.registry.holder.IdentityType.BUSINESS_LICENCE;
      case OTHER -> org.serverhold.registry.holder.IdentityType.OTHER;
      case IDENTITY_TYPE_UNSPECIFIED, UNRECOGNIZED -> null;
    };
  }

  static RegistrantIdentity masked(Holder h) {
    return RegistrantIdentity.newBuilder().setType(IdentityType.valueOf(h.type().name())).setName(h.name())
        .setMaskedNumber(h.maskedNumber()).build();
  }

  static RegistrantIdentity revealed(Identity i) {
    return RegistrantIdentity.newBuilder().setType(IdentityType.valueOf(i.type().name())).setName(i.name())
        .setNumber(i.number()).setMaskedNumber(Masking.mask(i.number())).build();
  }

  static org.serverhold.api.v1.Registrant registrant(Registrant r) {
    return org.serverhold.api.v1.Registrant.newBuilder().setHandle(r.handle())
        .setEmail(r.email() == null ? "" : r.email()).setPhone(r.phone() == null ? "" : r.phone())
        .setVerified(r.verified()).setHolderId("H" + r.holderId()).build();
  }

  static org.serverhold.api.v1.Filing filing(Filing f) {
    var b = org.serverhold.api.v1.Filing.newBuilder()
        .setFilingNumber(f.filingNumber())
        .setMainNumber(f.mainNumber())
        .setSponsorName(f.sponsorName())
        .setSponsorType(SponsorType.valueOf(f.sponsorType().name()))
        .setServiceType(ServiceType.valueOf(f.serviceType().name()))
        .setServiceName(f.serviceName())
        .setAccessProvider(f.accessProvider())
        .setStatus(f.active() ? FilingStatus.FILING_ACTIVE : FilingStatus.FILING_REVOKED)
        .addAllDomains(f.domains())
        .setRevokeReason(f.revokeReason() == null ? "" : f.revokeReason());
    if (f.sponsorIdentity() != null) {
      var id = RegistrantIdentity.newBuilder().setType(IdentityType.valueOf(f.sponsorIdentity().type().name()))
          .setName(f.sponsorIdentity().name()).setMaskedNumber(f.sponsorMaskedNumber());
      if (!f.sponsorIdentity().number().isEmpty()) {
        id.setNumber(f.sponsorIdentity().number());
      }
      b.setSponsorIdentity(id);
    }
    if (f.updated() != null) {
      b.setUpdated(timestamp(f.updated()));
    }
    return b.build();
  }

  static org.serverhold.api.v1.Takedown takedown(org.serverhold.registry.takedown.TakedownOrder o,
      org.serverhold.registry.policy.PolicySubscribers.Enforcement enforcement) {
    var b = org.serverhold.api.v1.Takedown.newBuilder()
        .setTakedownId(o.publicId())
        .setDomain(o.domain())
        .setAuthority(o.authority())
        .setCaseNumber(o.caseNumber())
        .setReason(o.reason())
        .setState(o.inForce() ? org.serverhold.api.v1.TakedownState.IN_FORCE : org.serverhold.api.v1.TakedownState.LIFTED)
        .setHolderId("H" + o.holderId())
        .setDomainsSuspended(o.domainsSuspended())
        .setCascadeCount(o.cascadeCount())
        .setIssued(timestamp(o.issued()))
        .setIssuedBy(o.issuedBy())
        .setHolderBlacklisted(o.holderBlacklisted())
        .setPolicyVersion(o.policyVersion())
        .setResolversApplied(enforcement.applied())
        .setResolversPending(enforcement.pending());
    if (o.cascadeDeadline() != null) {
      b.setCascadeDeadline(timestamp(o.cascadeDeadline()));
    }
    if (o.lifted() != null) {
      b.setLifted(timestamp(o.lifted())).setLiftedBy(o.liftedBy()).setLiftReason(o.liftReason())
          .setLiftAuthority(o.liftAuthority() == null ? "" : o.liftAuthority());
    }
    return b.build();
  }

  static org.serverhold.api.v1.Flag flag(org.serverhold.registry.flag.FlagRecord f, Instant now) {
    var b = org.serverhold.api.v1.Flag.newBuilder().setId(f.id()).setName(f.name())
        .setScope(f.subtree() ? org.serverhold.api.v1.FlagScope.SUBTREE : org.serverhold.api.v1.FlagScope.EXACT)
        .setAuthority(f.authority()).setCaseNumber(f.caseNumber()).setReason(f.reason())
        .setCreated(timestamp(f.created())).setActive(f.inForce(now));
    if (f.expires() != null) {
      b.setExpires(timestamp(f.expires()));
    }
    return b.build();
  }

  static org.serverhold.api.v1.BlacklistEntry blacklistEntry(BlacklistEntry e, Instant now) {
    var b = org.serverhold.api.v1.BlacklistEntry.newBuilder()
        .setId(e.id())
        .setHolderId(e.holder().publicId())
        .setIdentity(masked(e.holder()))
        .setReason(e.reason())
        .setCaseNumber(e.caseNumber())
        .setAuthority(e.authority())
        .setSource(switch (e.source()) {
          case MANUAL -> BlacklistSource.MANUAL;
          case TAKEDOWN -> BlacklistSource.TAKEDOWN_ORDER;
          case PEER -> BlacklistSource.PEER_REGISTRY;
        })
        .setSourceReference(e.sourceRef())
        .setActive(e.inForce(now))
        .setPermanent(e.permanent())
        .setCreated(timestamp(e.created()));
    if (e.expires() != null) {
      b.setExpires(timestamp(e.expires()));
    }
    return b.build();
  }
}
