package org.serverhold.registry.federation;

import java.util.Locale;

/** What this registry does with a peer's entry, configured per peer. */
public enum DisposalMode {
  /** Blacklist only: the holder is refused new registrations here; its live domains stay. */
  RECORD,
  /** Also hold every live domain of the holder here (PEER_DISPOSAL, naming the peer's order). */
  SUSPEND,
  /** Queue for a local regulator; nothing is in force until accepted (then as SUSPEND). */
  REVIEW;

  public static DisposalMode parse(String s) {
    try {
      return valueOf(s.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mode must be record, suspend or review, not '" + s + "'");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
