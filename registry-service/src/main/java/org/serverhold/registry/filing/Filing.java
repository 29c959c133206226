package org.serverhold.registry.filing;

import java.time.Instant;
import java.util.List;
import org.serverhold.registry.holder.Identity;

/**
 * An ICP filing: who sponsors which service, under which number, and the domain names it covers.
 * {@code sponsorIdentity} carries the number in full only on its way in and to a regulator;
 * otherwise {@code sponsorMaskedNumber} is all that leaves the registry.
 */
public record Filing(String filingNumber, String mainNumber, String sponsorName, SponsorType sponsorType,
    Identity sponsorIdentity, String sponsorMaskedNumber, ServiceType serviceType, String serviceName,
    String accessProvider, boolean active, List<String> domains, String revokeReason, Instant updated) {
  public Filing {
    domains = List.copyOf(domains);
  }
}
