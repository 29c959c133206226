package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.Identity;

/** Reads the blacklist. */
public final class BlacklistQueries {
  /** A holder's standing. */
  public record HolderCheck(Optional<Holder> holder, boolean blacklisted, List<BlacklistEntry> entries, int activeDomains) {}

  /** A page of entries and the next page's token. */
  public record Page(List<BlacklistEntry> entries, String nextPageToken) {}

  private final Database db;
  private final HolderStore holders;
  private final BlacklistEntries entries;
  private final Clock clock;

  public BlacklistQueries(Database db, HolderStore holders, BlacklistEntries entries, Clock clock) {
    this.db = db;
    this.holders = holders;
    this.entries = entries;
    this.clock = clock;
  }

  public HolderCheck check(Identity identity) {
    return db.transaction(tx -> {
      Optional<Holder> holder = holders.find(tx, identity);
      if (holder.isEmpty()) {
        return new HolderCheck(holder, false, List.of(), 0);
      }
      List<BlacklistEntry> all = entries.list(tx, BLACKLIST_ENTRY.HOLDER_ID.eq(holder.get().id()), 1000);
      List<BlacklistEntry> inForce = all.stream().filter(e -> e.inForce(clock.instant())).toList();
      int live = tx.fetchCount(DOMAIN, DOMAIN.HOLDER_ID.eq(holder.get().id()), DOMAIN.ACTIVE_NAME.isNotNull());
      return new HolderCheck(holder, !inForce.isEmpty(), inForce, live);
    });
  }

  public Page list(int pageSize, String pageToken, boolean includeInactive) {
    long after = 0;
    if (pageToken != null && !pageToken.isEmpty()) {
      if (!pageToken.matches("b[0-9]{1,18}")) {
        throw RegistryException.invalid("page_token", "is not a token this service issued");
      }
      after = Long.parseLong(pageToken.substring(1));
    }
    Condition where = BLACKLIST_ENTRY.ID.gt(after);
    if (!includeInactive) {
      where = where.and(BlacklistStore.inForce(clock.instant()));
    }
    Condition w = where;
    List<BlacklistEntry> page = db.transaction(tx -> entries.list(tx, w, pageSize + 1));
    if (page.size() > pageSize) {
      List<BlacklistEntry> shown = List.copyOf(page.subList(0, pageSize));
      return new Page(shown, "b" + shown.getLast().id());
    }
    return new Page(page, "");
  }
}
