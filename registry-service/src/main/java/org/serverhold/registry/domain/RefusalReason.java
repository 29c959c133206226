package org.serverhold.registry.domain;

/** Why a name cannot be registered (by this holder). */
public enum RefusalReason {
  NAME_INVALID,
  ZONE_NOT_MANAGED,
  NOT_REGISTRABLE,
  DOMAIN_TAKEN,
  DOMAIN_FLAGGED,
  HOLDER_BLACKLISTED
}
