package org.serverhold.registry.takedown;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.TAKEDOWN;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.domain.HoldReason;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.name.DomainName;

/** Reads takedowns and their reports. */
public final class TakedownQueries {
  /** One domain an order suspended. */
  public record Suspended(DomainName name, String registrarId, HoldReason hold, Instant since, boolean released) {}

  /** The report a bureau acts on: the order, the holder (in full: regulators only), a page of domains. */
  public record Report(TakedownOrder order, Identity holder, List<Suspended> domains, String nextPageToken) {}

  /** A page of orders. */
  public record Page(List<TakedownOrder> orders, String nextPageToken) {}

  /** Filters; nulls mean any. */
  public record Filter(String authority, Boolean inForce, Instant issuedAfter, Instant issuedBefore) {}

  private final Database db;
  private final TakedownStore takedowns;
  private final HolderStore holders;
  private final Clock clock;

  public TakedownQueries(Database db, TakedownStore takedowns, HolderStore holders, Clock clock) {
    this.db = db;
    this.takedowns = takedowns;
    this.holders = holders;
    this.clock = clock;
  }

  public TakedownOrder get(long id) {
    return db.transaction(tx -> takedowns.find(tx, id, clock.instant()))
        .orElseThrow(() -> RegistryException.notFound("TAKEDOWN_NOT_FOUND", "no takedown T" + id));
  }

  public Page list(Filter f, int pageSize, String pageToken) {
    Condition where = DSL.trueCondition();
    if (pageToken != null && !pageToken.isEmpty()) {
      long before = TakedownOrder.parsePublicId(pageToken);
      if (before < 0) {
        throw RegistryException.invalid("page_token", "is not a token this service issued");
      }
      where = where.and(TAKEDOWN.ID.lt(before));
    }
    if (f.authority() != null) {
      where = where.and(TAKEDOWN.AUTHORITY.eq(f.authority()));
    }
    if (f.inForce() != null) {
      where = where.and(TAKEDOWN.STATE.eq(f.inForce() ? org.serverhold.registry.schema.enums.TakedownState.IN_FORCE
          : org.serverhold.registry.schema.enums.TakedownState.LIFTED));
    }
    if (f.issuedAfter() != null) {
      where = where.and(TAKEDOWN.ISSUED_AT.ge(Timestamps.toDb(f.issuedAfter())));
    }
    if (f.issuedBefore() != null) {
      where = where.and(TAKEDOWN.ISSUED_AT.lt(Timestamps.toDb(f.issuedBefore())));
    }
    Condition w = where;
    List<TakedownOrder> rows = db.transaction(tx -> takedowns.list(tx, w, pageSize + 1, clock.instant()));
    if (rows.size() > pageSize) {
      List<TakedownOrder> shown = List.copyOf(rows.subList(0, pageSize));
      return new Page(shown, shown.getLast().publicId());
    }
    return new Page(rows, "");
  }

  public Report report(long id, int pageSize, String pageToken, boolean revealHolder) {
    long after = 0;
    if (pageToken != null && !pageToken.isEmpty()) {
      if (!pageToken.matches("h[0-9]{1,18}")) {
        throw RegistryException.invalid("page_token", "is not a token this service issued");
      }
      after = Long.parseLong(pageToken.substring(1));
    }
    long afterHold = after;
    return db.transaction(tx -> {
      TakedownOrder order = takedowns.find(tx, id, clock.instant())
          .orElseThrow(() -> RegistryException.notFound("TAKEDOWN_NOT_FOUND", "no takedown T" + id));
      Identity holder = revealHolder ? holders.reveal(tx, order.holderId()) : null;
      var rows = tx.select(DOMAIN_HOLD.ID, DOMAIN.NAME, DOMAIN.UNICODE_NAME, DOMAIN.REGISTRAR_ID, DOMAIN_HOLD.REASON,
              DOMAIN_HOLD.CREATED_AT, DOMAIN_HOLD.RELEASED_AT)
          .from(DOMAIN_HOLD).join(DOMAIN).on(DOMAIN.ID.eq(DOMAIN_HOLD.DOMAIN_ID))
          .where(DOMAIN_HOLD.TAKEDOWN_ID.eq(id), DOMAIN_HOLD.ID.gt(afterHold))
          .orderBy(DOMAIN_HOLD.ID).limit(pageSize + 1).fetch();
      List<Suspended> domains = rows.stream().limit(pageSize).map(r -> new Suspended(new DomainName(r.value2(), r.value3()),
          r.value4(), HoldReason.valueOf(r.value5().name()), Timestamps.fromDb(r.value6()), r.value7() != null)).toList();
      String next = rows.size() > pageSize ? "h" + rows.get(pageSize - 1).value1() : "";
      return new Report(order, holder, domains, next);
    });
  }
}
