package org.serverhold.registry.takedown;

import java.time.Instant;

/** A takedown as the bureau sees it. */
public record TakedownOrder(long id, String domain, long holderId, String authority, String caseNumber, String reason,
    boolean inForce, CascadePolicy.Mode cascadeMode, Instant cascadeDeadline, Instant cascadeApplied,
    int domainsSuspended, int cascadeCount, boolean holderBlacklisted, long policyVersion, Instant issued,
    String issuedBy, Instant lifted, String liftedBy, String liftReason, String liftAuthority) {
  public String publicId() {
    return "T" + id;
  }

  public static long parsePublicId(String publicId) {
    if (publicId == null || !publicId.matches("T[0-9]{1,18}")) {
      return -1;
    }
    return Long.parseLong(publicId.substring(1));
  }
}
