package org.serverhold.registry.auth;

/** What a credential may do. Each credential has exactly one. */
public enum Role {
  REGISTRAR,
  REGULATOR,
  FILING_AUTHORITY,
  RESOLVER,
  ADMIN,
  PEER
}
