package org.serverhold.registry.filing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.IdentityRules;
import org.serverhold.registry.holder.IdentityType;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.name.DomainNames;

/** Validates a filing as the filing system sends it; every bad field is reported at once. */
public final class FilingInput {
  static final int MAX_DOMAINS = 1000;

  private final DomainNames names;

  public FilingInput(DomainNames names) {
    this.names = names;
  }

  /** Raw fields off the wire; null enums mean "not given". */
  public record Raw(String filingNumber, String mainNumber, String sponsorName, SponsorType sponsorType,
      IdentityType sponsorIdentityType, String sponsorIdentityNumber, String sponsorIdentityName,
      ServiceType serviceType, String serviceName, String accessProvider, List<String> domains,
      boolean sponsorIdentityGiven) {}

  public Filing validate(Violations v, Raw raw) {
    FilingNumber number = v.check(() -> FilingNumber.parse("filing.filing_number", raw.filingNumber()));
    String main = number == null ? "" : number.mainNumber();
    if (raw.mainNumber() != null && !raw.mainNumber().isBlank()) {
      FilingNumber given = v.check(() -> FilingNumber.parse("filing.main_number", raw.mainNumber()));
      if (given != null && number != null && !given.value().equals(number.mainNumber())) {
        v.add("filing.main_number", "does not match the filing number's main number " + number.mainNumber());
      }
    }
    String sponsor = v.text("filing.sponsor_name", raw.sponsorName(), true, 200);
    if (raw.sponsorType() == null) {
      v.add("filing.sponsor_type", "is required");
    }
    Identity identity = null;
    if (raw.sponsorIdentityGiven()) {
      identity = v.check(() -> IdentityRules.normalize("filing.sponsor_identity", raw.sponsorIdentityType(),
          raw.sponsorIdentityNumber(), raw.sponsorIdentityName() == null || raw.sponsorIdentityName().isBlank()
              ? raw.sponsorName() : raw.sponsorIdentityName()));
    }
    if (raw.serviceType() == null) {
      v.add("filing.service_type", "is required");
    }
    String service = v.text("filing.service_name", raw.serviceName(), true, 200);
    String provider = v.text("filing.access_provider", raw.accessProvider(), true, 200);
    List<String> domains = new ArrayList<>();
    if (raw.domains().size() > MAX_DOMAINS) {
      v.add("filing.domains", "lists more than " + MAX_DOMAINS + " names");
    } else {
      Set<String> seen = new LinkedHashSet<>();
      for (int i = 0; i < raw.domains().size(); i++) {
        String field = "filing.domains[" + i + "]";
        String input = raw.domains().get(i);
        DomainName n = v.check(() -> names.normalize(field, input));
        if (n != null && !seen.add(n.ascii())) {
          v.add(field, "is listed twice");
        }
      }
      domains.addAll(seen);
    }
    v.throwIfAny();
    return new Filing(number.value(), main, sponsor, raw.sponsorType(), identity, "", raw.serviceType(), service,
        provider, true, domains, null, null);
  }
}
