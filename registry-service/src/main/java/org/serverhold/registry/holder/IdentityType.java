package org.serverhold.registry.holder;

/** The document that proves a holder's identity. */
public enum IdentityType {
  RESIDENT_ID_CARD,
  PASSPORT,
  BUSINESS_LICENCE,
  OTHER
}
