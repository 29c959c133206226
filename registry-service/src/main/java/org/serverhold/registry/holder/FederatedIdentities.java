package org.serverhold.registry.holder;

import org.jooq.DSLContext;

/**
 * What the federation needs to know about holders created here: the fingerprint of an identity
 * under the federation's shared key (stored on the holder row, so imported entries find their
 * holder), and a call in the creating transaction so entries imported before the holder existed
 * here ("shadow" entries) are adopted by it at once. Implemented by the federation package.
 */
public interface FederatedIdentities {
  /** The fingerprint under the federation key, or null when no federation key is configured. */
  byte[] fingerprint(IdentityType type, String normalizedNumber);

  /** Called in the transaction that created holder {@code holderId} (not for existing holders). */
  void holderCreated(DSLContext tx, long holderId, byte[] federationFingerprint);

  /** No federation: no fingerprint, nothing to adopt. */
  FederatedIdentities NONE = new FederatedIdentities() {
    @Override
    public byte[] fingerprint(IdentityType type, String normalizedNumber) {
      return null;
    }

    @Override
    public void holderCreated(DSLContext tx, long holderId, byte[] federationFingerprint) {}
  };
}
