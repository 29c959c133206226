package org.serverhold.registry.testing;

import static org.serverhold.registry.schema.Tables.DOMAIN;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.IdentityRules;
import org.serverhold.registry.holder.IdentityType;
import org.serverhold.registry.holder.RegistrantStore;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Loads many domains of one holder at once (batched inserts, one verified registrant at
 * registrar reg-a) and publishes their decisions, for tests and benchmarks that need a holder
 * with thousands of domains without thousands of RPCs.
 */
public final class TestDomains {
  private TestDomains() {}

  /** The holder and its first domain's name. */
  public record BulkHolder(long holderId, String firstName, List<String> names) {}

  public static BulkHolder bulk(TestRegistry r, String handle, RegistrantIdentity id, String prefix, int count) {
    return bulk(r.db, r.registry.holders, r.registry.policy, handle, id, prefix, count);
  }

  public static BulkHolder bulk(Database db, HolderStore holders, PolicyLedger policy, String handle,
      RegistrantIdentity id, String prefix, int count) {
    var identity = IdentityRules.normalize("identity", IdentityType.valueOf(id.getType().name()), id.getNumber(), id.getName());
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(prefix + "-" + i + ".cn");
    }
    long holderId = db.transaction(tx -> {
      var holder = holders.findOrCreate(tx, identity);
      var registrant = new RegistrantStore().create(tx, "reg-a", handle, holder.id(), null, null);
      new RegistrantStore().markVerified(tx, registrant.id(), "bulk load", Instant.now());
      var now = Timestamps.toDb(Instant.now());
      var expires = Timestamps.toDb(Instant.now().plus(365, ChronoUnit.DAYS));
      for (int from = 0; from < count; from += 5000) {
        var insert = tx.insertInto(DOMAIN, DOMAIN.NAME, DOMAIN.UNICODE_NAME, DOMAIN.ZONE, DOMAIN.REGISTRAR_ID,
            DOMAIN.REGISTRANT_ID, DOMAIN.HOLDER_ID, DOMAIN.STATE, DOMAIN.ACTIVE_NAME, DOMAIN.CREATED_AT, DOMAIN.EXPIRES_AT);
        for (String n : names.subList(from, Math.min(count, from + 5000))) {
          insert = insert.values(n, n, "cn", "reg-a", registrant.id(), holder.id(),
              org.serverhold.registry.schema.enums.DomainState.ACTIVE, n, now, expires);
        }
        insert.execute();
      }
      policy.domainsChanged(tx, names, "bulk load " + prefix);
      return holder.id();
    });
    return new BulkHolder(holderId, names.getFirst(), names);
  }
}
