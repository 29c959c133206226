package org.serverhold.registry.filing;

import static org.serverhold.registry.schema.Tables.ICP_FILING;
import static org.serverhold.registry.schema.Tables.ICP_FILING_DOMAIN;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.IdentityType;
import org.serverhold.registry.holder.Masking;
import org.serverhold.registry.schema.enums.IcpFilingServiceType;
import org.serverhold.registry.schema.enums.IcpFilingSponsorIdentityType;
import org.serverhold.registry.schema.enums.IcpFilingSponsorType;
import org.serverhold.registry.schema.enums.IcpFilingStatus;
import org.serverhold.registry.schema.tables.records.IcpFilingRecord;

/** Filings and the names they cover. The sponsor's identity number is stored like a holder's. */
public final class FilingStore {
  private final HolderKeys keys;

  public FilingStore(HolderKeys keys) {
    this.keys = keys;
  }

  public Optional<IcpFilingRecord> lock(DSLContext tx, String filingNumber) {
    return tx.selectFrom(ICP_FILING).where(ICP_FILING.FILING_NUMBER.eq(filingNumber)).forUpdate().fetchOptional();
  }

  public Optional<Filing> find(DSLContext tx, String filingNumber, boolean reveal) {
    return tx.selectFrom(ICP_FILING).where(ICP_FILING.FILING_NUMBER.eq(filingNumber)).fetchOptional()
        .map(r -> toFiling(tx, r, reveal));
  }

  /** The active filing covering {@code ascii}, if any (the newest when several do). */
  public Optional<String> activeFilingNumberFor(DSLContext tx, String ascii) {
    return tx.select(ICP_FILING.FILING_NUMBER)
        .from(ICP_FILING_DOMAIN).join(ICP_FILING).on(ICP_FILING.ID.eq(ICP_FILING_DOMAIN.FILING_ID))
        .where(ICP_FILING_DOMAIN.DOMAIN_NAME.eq(ascii), ICP_FILING.STATUS.eq(IcpFilingStatus.ACTIVE))
        .orderBy(ICP_FILING.ID.desc())
        .limit(1)
        .fetchOptional(ICP_FILING.FILING_NUMBER);
  }

  public Optional<Filing> activeFilingFor(DSLContext tx, String ascii, boolean reveal) {
    return activeFilingNumberFor(tx, ascii).flatMap(n -> find(tx, n, reveal));
  }

  /** Writes the filing (new or replacing the stored one) and its exact set of names, active. */
  public void upsert(DSLContext tx, Filing f, Optional<IcpFilingRecord> existing, Instant now) {
    Identity id = f.sponsorIdentity();
    IcpFilingRecord r = existing.orElseGet(() -> tx.newRecord(ICP_FILING));
    r.setFilingNumber(f.filingNumber());
    r.setMainNumber(f.mainNumber());
    r.setSponsorName(f.sponsorName());
    r.setSponsorType(IcpFilingSponsorType.valueOf(f.sponsorType().name()));
    r.setSponsorIdentityType(id == null ? null : IcpFilingSponsorIdentityType.valueOf(id.type().name()));
    r.setSponsorFingerprint(id == null ? null : keys.fingerprint(id.type(), id.number()));
    r.setSponsorNumberCiphertext(id == null ? null : keys.encrypt(id.number()));
    r.setSponsorNumberLast4(id == null ? null : Masking.lastChars(id.number()));
    r.setSponsorIdentityName(id == null ? null : id.name());
    r.setServiceType(IcpFilingServiceType.valueOf(f.serviceType().name()));
    r.setServiceName(f.serviceName());
    r.setAccessProvider(f.accessProvider());
    r.setStatus(IcpFilingStatus.ACTIVE);
    r.setRevokeReason(null);
    r.setUpdatedAt(Timestamps.toDb(now));
    if (existing.isEmpty()) {
      r.setCreatedAt(Timestamps.toDb(now));
      r.insert();
      r.setId(tx.lastID().longValue());
    } else {
      r.update();
    }
    tx.deleteFrom(ICP_FILING_DOMAIN).where(ICP_FILING_DOMAIN.FILING_ID.eq(r.getId())).execute();
    var insert = tx.insertInto(ICP_FILING_DOMAIN, ICP_FILING_DOMAIN.FILING_ID, ICP_FILING_DOMAIN.DOMAIN_NAME);
    for (String d : f.domains()) {
      insert = insert.values(r.getId(), d);
    }
    if (!f.domains().isEmpty()) {
      insert.execute();
    }
  }

  public void revoke(DSLContext tx, IcpFilingRecord r, String reason, Instant now) {
    r.setStatus(IcpFilingStatus.REVOKED);
    r.setRevokeReason(reason);
    r.setUpdatedAt(Timestamps.toDb(now));
    r.update();
  }

  public List<String> domainsOf(DSLContext tx, long filingId) {
    return tx.select(ICP_FILING_DOMAIN.DOMAIN_NAME).from(ICP_FILING_DOMAIN)
        .where(ICP_FILING_DOMAIN.FILING_ID.eq(filingId)).orderBy(ICP_FILING_DOMAIN.DOMAIN_NAME)
        .fetch(ICP_FILING_DOMAIN.DOMAIN_NAME);
  }

  /** True when a stored filing's sponsor has this fingerprint. */
  public boolean sponsorIs(DSLContext tx, String filingNumber, byte[] holderFingerprint) {
    return tx.fetchExists(ICP_FILING, ICP_FILING.FILING_NUMBER.eq(filingNumber),
        ICP_FILING.SPONSOR_FINGERPRINT.eq(holderFingerprint));
  }

  public Filing toFiling(DSLContext tx, IcpFilingRecord r, boolean reveal) {
    Identity identity = null;
    String masked = "";
    if (r.getSponsorIdentityType() != null) {
      IdentityType type = IdentityType.valueOf(r.getSponsorIdentityType().name());
      masked = Masking.maskLast(r.getSponsorNumberLast4());
      identity = new Identity(type, reveal ? keys.decrypt(r.getSponsorNumberCiphertext()) : "", r.getSponsorIdentityName());
    }
    return new Filing(r.getFilingNumber(), r.getMainNumber(), r.getSponsorName(),
        SponsorType.valueOf(r.getSponsorType().name()), identity, masked,
        ServiceType.valueOf(r.getServiceType().name()), r.getServiceName(), r.getAccessProvider(),
        r.getStatus() == IcpFilingStatus.ACTIVE, domainsOf(tx, r.getId()), r.getRevokeReason(),
        Timestamps.fromDb(r.getUpdatedAt()));
  }
}
