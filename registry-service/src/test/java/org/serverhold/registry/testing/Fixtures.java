package org.serverhold.registry.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.serverhold.api.v1.Filing;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.Registrant;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.ServiceType;
import org.serverhold.api.v1.SponsorType;
import org.serverhold.registry.holder.IdentityRules;

/** Valid identities, registrants and filings, and readers of rich error details. */
public final class Fixtures {
  private Fixtures() {}

  /** A resident ID card number with a correct check digit, distinct for each {@code n}. */
  public static String residentId(long n) {
    return IdentityRules.withResidentIdCheckDigit(String.format("110105%011d", n));
  }

  public static RegistrantIdentity person(long n) {
    return RegistrantIdentity.newBuilder().setType(IdentityType.RESIDENT_ID_CARD).setNumber(residentId(n))
        .setName("张三" + n).build();
  }

  public static RegistrantIdentity company(long n) {
    return RegistrantIdentity.newBuilder().setType(IdentityType.BUSINESS_LICENCE)
        .setNumber(IdentityRules.withCreditCodeCheck(String.format("91110000%09d", n))).setName("公司" + n).build();
  }

  public static Registrant registrant(String handle, RegistrantIdentity identity) {
    return Registrant.newBuilder().setHandle(handle).setIdentity(identity).setEmail(handle + "@example.com").build();
  }

  public static Filing filing(String number, String... domains) {
    return Filing.newBuilder().setFilingNumber(number).setSponsorName("某某科技有限公司")
        .setSponsorType(SponsorType.ENTERPRISE).setServiceType(ServiceType.WEBSITE).setServiceName("某某网")
        .setAccessProvider("某某云").addAllDomains(List.of(domains)).build();
  }

  public static String rid() {
    return UUID.randomUUID().toString();
  }

  public static Optional<ErrorInfo> errorInfo(StatusRuntimeException e) {
    return details(e, ErrorInfo.class);
  }

  public static List<String> violatedFields(StatusRuntimeException e) {
    return details(e, BadRequest.class).map(b -> b.getFieldViolationsList().stream().map(v -> v.getField()).toList())
        .orElse(List.of());
  }

  private static <T extends com.google.protobuf.Message> Optional<T> details(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return Optional.empty();
    }
    for (var any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException ex) {
          throw new IllegalStateException(ex);
        }
      }
    }
    return Optional.empty();
  }
}
