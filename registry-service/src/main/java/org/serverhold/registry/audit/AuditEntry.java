package org.serverhold.registry.audit;

import org.serverhold.registry.auth.Principal;

/**
 * One change to record: who (actor), what (action on target), on whose authority, under which
 * request id, and the state before and after (JSON, never an identity number or token in clear).
 */
public record AuditEntry(Principal actor, String requestId, String action, String targetType, String target,
    String authority, String before, String after) {
  public AuditEntry {
    requestId = requestId == null ? "" : requestId;
    authority = authority == null ? "" : authority;
  }
}
