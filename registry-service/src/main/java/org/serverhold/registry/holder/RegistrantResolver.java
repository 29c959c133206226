package org.serverhold.registry.holder;

import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.failure.RegistryException;

/**
 * Turns a registrar's registrant input into its contact record and holder: an existing handle
 * keeps its holder (a different identity under the same handle is refused: a change of holder is
 * a transfer, checked as a new registration); a new handle needs an identity.
 */
public final class RegistrantResolver {
  /** The registrant (if it exists yet) and its holder (if known yet). */
  public record Resolved(Optional<Registrant> registrant, Optional<Holder> holder) {}

  private final HolderStore holders;
  private final RegistrantStore registrants;

  public RegistrantResolver(HolderStore holders, RegistrantStore registrants) {
    this.holders = holders;
    this.registrants = registrants;
  }

  /** Looks only: nothing is created (CheckRegistration). */
  public Resolved peek(DSLContext tx, String registrarId, RegistrantInput input, String field) {
    Optional<Registrant> existing = registrants.find(tx, registrarId, input.handle());
    if (existing.isPresent()) {
      checkSameIdentity(tx, existing.get(), input, field);
      return new Resolved(existing, holders.byId(tx, existing.get().holderId()));
    }
    requireIdentity(input, field);
    return new Resolved(Optional.empty(), holders.find(tx, input.identity()));
  }

  /** Finds or creates the registrant and its holder (RegisterDomain, TransferDomain). */
  public Registrant resolve(DSLContext tx, String registrarId, RegistrantInput input, String field) {
    Optional<Registrant> existing = registrants.find(tx, registrarId, input.handle());
    if (existing.isPresent()) {
      checkSameIdentity(tx, existing.get(), input, field);
      return existing.get();
    }
    requireIdentity(input, field);
    Holder holder = holders.findOrCreate(tx, input.identity());
    return registrants.create(tx, registrarId, input.handle(), holder.id(), input.email(), input.phone());
  }

  private void checkSameIdentity(DSLContext tx, Registrant registrant, RegistrantInput input, String field) {
    if (input.identity() == null) {
      return;
    }
    Holder holder = holders.byId(tx, registrant.holderId()).orElseThrow();
    byte[] given = holders.keys().fingerprint(input.identity().type(), input.identity().number());
    Optional<Holder> givenHolder = holders.byFingerprint(tx, given);
    if (givenHolder.isEmpty() || givenHolder.get().id() != holder.id()) {
      throw RegistryException.invalid(field + ".identity",
          "handle '" + registrant.handle() + "' belongs to another identity; use a new handle (a change of holder is a transfer)");
    }
  }

  private static void requireIdentity(RegistrantInput input, String field) {
    if (input.identity() == null) {
      throw RegistryException.invalid(field + ".identity", "is required for a new registrant handle");
    }
  }
}
