package org.serverhold.registry.domain;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.REGISTRANT;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.jooq.Condition;
import org.jooq.impl.DSL;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.name.DomainName;

/**
 * Reads a registrar's own domains. Another registrar's domain is NOT_FOUND, exactly like a name
 * nobody registered: a registrar learns nothing about the others' customers.
 */
public final class DomainQueries {
  /** A page of domains and the token of the next one ("" at the end). */
  public record Page(List<RegisteredDomain> domains, String nextPageToken) {}

  /** Filters of a listing; empty strings mean "any". */
  public record Filter(String registrantHandle, String zone, boolean includeEnded) {}

  private final Database db;
  private final DomainStore domains;

  public DomainQueries(Database db, DomainStore domains) {
    this.db = db;
    this.domains = domains;
  }

  public RegisteredDomain get(Principal registrar, DomainName name) {
    return db.transaction(tx -> domains.view(tx,
        DOMAIN.ACTIVE_NAME.eq(name.ascii()).and(DOMAIN.REGISTRAR_ID.eq(registrar.registrarId())), 1)
        .stream().findFirst()
        .orElseThrow(() -> RegistryException.notFound("DOMAIN_NOT_FOUND", name.ascii() + " is not registered by you")));
  }

  public Page list(Principal registrar, int pageSize, String pageToken, Filter filter) {
    Cursor after = decodeToken(pageToken);
    Condition where = DOMAIN.REGISTRAR_ID.eq(registrar.registrarId())
        .and(DSL.row(DOMAIN.NAME, DOMAIN.ID).gt(after.name(), after.id()));
    if (!filter.includeEnded()) {
      where = where.and(DOMAIN.ACTIVE_NAME.isNotNull());
    }
    if (!filter.zone().isEmpty()) {
      where = where.and(DOMAIN.ZONE.eq(filter.zone()));
    }
    if (!filter.registrantHandle().isEmpty()) {
      where = where.and(REGISTRANT.HANDLE.eq(filter.registrantHandle()));
    }
    Condition finalWhere = where;
    List<RegisteredDomain> page = db.transaction(tx -> domains.view(tx, finalWhere, pageSize + 1));
    if (page.size() > pageSize) {
      RegisteredDomain last = page.get(pageSize - 1);
      return new Page(List.copyOf(page.subList(0, pageSize)), encodeToken(new Cursor(last.name().ascii(), last.id())));
    }
    return new Page(page, "");
  }

  /** Where a page ends: names order the listing, record ids break ties between records of one name. */
  record Cursor(String name, long id) {}

  static String encodeToken(Cursor c) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(("n:" + c.id() + ":" + c.name()).getBytes(StandardCharsets.UTF_8));
  }

  static Cursor decodeToken(String token) {
    if (token == null || token.isEmpty()) {
      return new Cursor("", 0);
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", 3);
      if (parts.length == 3 && parts[0].equals("n")) {
        return new Cursor(parts[2], Long.parseLong(parts[1]));
      }
    } catch (IllegalArgumentException e) {
      // fall through to the refusal below
    }
    throw RegistryException.invalid("page_token", "is not a token this service issued");
  }
}
