package org.serverhold.registry.policy;

import static org.serverhold.registry.schema.Tables.POLICY_SUBSCRIBER;

import java.time.Clock;
import org.jooq.impl.DSL;
import org.serverhold.registry.database.Database;

/**
 * Which version each resolver has applied. Resolvers acknowledge what they applied; a bureau can
 * then see how many subscribed resolvers enforce an order and how many do not yet.
 */
public final class PolicySubscribers {
  /** A resolver counts as subscribed while it was heard from within this window. */
  static final long ACTIVE_WINDOW_MS = 10 * 60 * 1000L;

  private final Database db;
  private final Clock clock;

  public PolicySubscribers(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** Records a resolver's applied version (never moves it backwards) and that it was heard from. */
  public void acknowledge(String resolverId, String principal, long appliedVersion) {
    long now = clock.millis();
    db.run(tx -> {
      int updated = tx.update(POLICY_SUBSCRIBER)
          .set(POLICY_SUBSCRIBER.APPLIED_VERSION, DSL.greatest(POLICY_SUBSCRIBER.APPLIED_VERSION, DSL.val(appliedVersion)))
          .set(POLICY_SUBSCRIBER.APPLIED_MS, now)
          .set(POLICY_SUBSCRIBER.SEEN_MS, now)
          .set(POLICY_SUBSCRIBER.PRINCIPAL, principal)
          .where(POLICY_SUBSCRIBER.RESOLVER_ID.eq(resolverId))
          .execute();
      if (updated == 0) {
        tx.insertInto(POLICY_SUBSCRIBER)
            .set(POLICY_SUBSCRIBER.RESOLVER_ID, resolverId)
            .set(POLICY_SUBSCRIBER.PRINCIPAL, principal)
            .set(POLICY_SUBSCRIBER.APPLIED_VERSION, appliedVersion)
            .set(POLICY_SUBSCRIBER.APPLIED_MS, now)
            .set(POLICY_SUBSCRIBER.SEEN_MS, now)
            .onDuplicateKeyIgnore()
            .execute();
      }
    });
  }

  /** How many active resolvers have applied {@code version} or later, and how many have not. */
  public record Enforcement(int applied, int pending) {}

  /** How many resolvers are active, and the lowest version any of them has applied. */
  public record Activity(int active, long minApplied) {}

  public Activity activity() {
    long since = clock.millis() - ACTIVE_WINDOW_MS;
    var row = db.dsl().select(org.jooq.impl.DSL.count(), org.jooq.impl.DSL.min(POLICY_SUBSCRIBER.APPLIED_VERSION))
        .from(POLICY_SUBSCRIBER).where(POLICY_SUBSCRIBER.SEEN_MS.ge(since)).fetchSingle();
    return new Activity(row.value1(), row.value2() == null ? 0 : row.value2());
  }

  public Enforcement enforcementOf(long version) {
    long since = clock.millis() - ACTIVE_WINDOW_MS;
    var active = POLICY_SUBSCRIBER.SEEN_MS.ge(since);
    int applied = db.dsl().fetchCount(POLICY_SUBSCRIBER, active.and(POLICY_SUBSCRIBER.APPLIED_VERSION.ge(version)));
    int pending = db.dsl().fetchCount(POLICY_SUBSCRIBER, active.and(POLICY_SUBSCRIBER.APPLIED_VERSION.lt(version)));
    return new Enforcement(applied, pending);
  }
}
