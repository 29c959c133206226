package org.serverhold.registry.domain;

/** Why a domain does not resolve. NOT_FILED is derived from filings, the others are stored holds. */
public enum HoldReason {
  TAKEDOWN,
  TAKEDOWN_CASCADE,
  HOLDER_BLACKLISTED,
  IDENTITY_UNVERIFIED,
  REGISTRAR_HOLD,
  NOT_FILED,
  PEER_DISPOSAL;

  /** Holds placed by the registry or a bureau: only the order that placed them removes them. */
  public boolean blocksLifecycle() {
    return this != IDENTITY_UNVERIFIED && this != NOT_FILED;
  }
}
