package org.serverhold.registry.api;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.registry.auth.Role;

/**
 * Which roles may call which method. Deny by default: a method missing here is refused to
 * everyone, so a new RPC is closed until someone decides who may call it.
 */
public final class AccessPolicy {
  private final Map<String, Set<Role>> rules = new HashMap<>();

  /** The enforcement methods an ADMIN may call besides a REGULATOR. */
  public static final Set<String> ADMIN_ENFORCEMENT = Set.of(
      EnforcementServiceGrpc.getRemoveFromBlacklistMethod().getFullMethodName(),
      EnforcementServiceGrpc.getLiftTakedownMethod().getFullMethodName(),
      EnforcementServiceGrpc.getListBlacklistMethod().getFullMethodName(),
      EnforcementServiceGrpc.getCheckHolderMethod().getFullMethodName(),
      EnforcementServiceGrpc.getGetTakedownMethod().getFullMethodName(),
      EnforcementServiceGrpc.getListTakedownsMethod().getFullMethodName(),
      EnforcementServiceGrpc.getListFlagsMethod().getFullMethodName());

  /** The federation administration methods an ADMIN may call besides a REGULATOR (reads only). */
  public static final Set<String> ADMIN_FEDERATION = Set.of(
      org.serverhold.api.v1.FederationAdminServiceGrpc.getGetFederationStatusMethod().getFullMethodName(),
      org.serverhold.api.v1.FederationAdminServiceGrpc.getListReviewsMethod().getFullMethodName());

  public static AccessPolicy standard() {
    AccessPolicy p = new AccessPolicy();
    p.service(RegistrarServiceGrpc.getServiceDescriptor(), EnumSet.of(Role.REGISTRAR));
    p.service(FilingServiceGrpc.getServiceDescriptor(), EnumSet.of(Role.FILING_AUTHORITY, Role.REGULATOR));
    p.service(EnforcementServiceGrpc.getServiceDescriptor(), EnumSet.of(Role.REGULATOR));
    // An ADMIN issues no orders; it may read them and lift what only it may lift (permanent entries).
    for (var m : ADMIN_ENFORCEMENT) {
      p.rules.put(m, EnumSet.of(Role.REGULATOR, Role.ADMIN));
    }
    p.service(PolicyServiceGrpc.getServiceDescriptor(), EnumSet.of(Role.RESOLVER));
    // Peer registries read our own blacklist changes, and nothing else.
    p.service(org.serverhold.api.v1.FederationServiceGrpc.getServiceDescriptor(), EnumSet.of(Role.PEER));
    // Our own bureau staff decide on imports; an ADMIN may read the status and the queue.
    p.service(org.serverhold.api.v1.FederationAdminServiceGrpc.getServiceDescriptor(), EnumSet.of(Role.REGULATOR));
    for (var m : ADMIN_FEDERATION) {
      p.rules.put(m, EnumSet.of(Role.REGULATOR, Role.ADMIN));
    }
    return p;
  }

  private void service(io.grpc.ServiceDescriptor descriptor, Set<Role> roles) {
    for (var method : descriptor.getMethods()) {
      rules.put(method.getFullMethodName(), Set.copyOf(roles));
    }
  }

  /** The roles allowed to call {@code fullMethodName}; empty for a method nobody may call. */
  public Set<Role> rolesFor(String fullMethodName) {
    return Optional.ofNullable(rules.get(fullMethodName)).orElse(Set.of());
  }

  public boolean covers(String fullMethodName) {
    return rules.containsKey(fullMethodName);
  }
}
