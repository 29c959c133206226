package org.serverhold.registry.importer;

import java.time.Clock;
import org.serverhold.registry.Registry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.name.DomainNames;
import org.serverhold.registry.name.ManagedZones;
import org.serverhold.registry.policy.PolicyLedger;

/** What an import needs of the registry: its database, rules, keys, policy ledger and audit log. */
public record ImportContext(Database db, DomainNames names, ManagedZones zones, HolderKeys keys, PolicyLedger policy,
    AuditLog audit, Clock clock) {
  public static ImportContext of(Registry r) {
    return new ImportContext(r.db, r.names, r.zones, r.holders.keys(), r.policy, r.audit, r.clock);
  }

  /** For the CLI: no Registry object (building one would re-publish its configured zones). */
  public static ImportContext of(Database db, HolderKeys keys, ManagedZones zones, Clock clock) {
    return new ImportContext(db, new DomainNames(), zones, keys, new PolicyLedger(zones, clock), new AuditLog(clock),
        clock);
  }
}
