package org.serverhold.registry.filing;

import static org.serverhold.registry.schema.Tables.HOLDER;

import java.util.Optional;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.domain.DomainStore;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.name.DomainName;

/** Reads filings; the sponsor's identity number is revealed only when the caller may see it. */
public final class FilingQueries {
  /** The filing covering a name, and whether its sponsor differs from the name's holder. */
  public record ForDomain(Filing filing, boolean sponsorMismatch) {}

  private final Database db;
  private final FilingStore filings;
  private final DomainStore domains;

  public FilingQueries(Database db, FilingStore filings, DomainStore domains) {
    this.db = db;
    this.filings = filings;
    this.domains = domains;
  }

  public Filing get(String filingNumber, boolean reveal) {
    return db.transaction(tx -> filings.find(tx, filingNumber, reveal))
        .orElseThrow(() -> RegistryException.notFound("FILING_NOT_FOUND", "no filing " + filingNumber));
  }

  /**
   * The sponsor should be the domain's holder: when the filing names a sponsor identity and the
   * name is registered here to another holder, the mismatch is reported.
   */
  public ForDomain forDomain(DomainName name, boolean reveal) {
    return db.transaction(tx -> {
      Filing filing = filings.activeFilingFor(tx, name.ascii(), reveal)
          .orElseThrow(() -> RegistryException.notFound("NOT_FILED", "no active filing covers " + name.ascii()));
      boolean mismatch = false;
      var domain = domains.active(tx, name.ascii());
      if (domain.isPresent() && filing.sponsorIdentity() != null) {
        Optional<byte[]> holderFingerprint = tx.select(HOLDER.FINGERPRINT).from(HOLDER)
            .where(HOLDER.ID.eq(domain.get().getHolderId())).fetchOptional(HOLDER.FINGERPRINT);
        mismatch = holderFingerprint.map(fp -> !filings.sponsorIs(tx, filing.filingNumber(), fp)).orElse(false);
      }
      return new ForDomain(filing, mismatch);
    });
  }
}
