package org.serverhold.registry.flag;

import static org.serverhold.registry.schema.Tables.FLAG;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.schema.enums.FlagScope;

/** Flags in force: a flag on the name itself, or a subtree flag on the name or any ancestor. */
public final class FlagStore {
  public boolean isFlagged(DSLContext tx, String ascii, Instant now) {
    List<String> ancestors = new ArrayList<>();
    for (String n = DomainName.parentOf(ascii); n != null; n = DomainName.parentOf(n)) {
      ancestors.add(n);
    }
    return tx.fetchExists(FLAG,
        FLAG.LIFTED_AT.isNull(),
        FLAG.EXPIRES_AT.isNull().or(FLAG.EXPIRES_AT.gt(Timestamps.toDb(now))),
        FLAG.NAME.eq(ascii).or(FLAG.NAME.in(ancestors).and(FLAG.SCOPE.eq(FlagScope.SUBTREE))));
  }
}
