package org.serverhold.registry.auth;

import static org.serverhold.registry.schema.Tables.CREDENTIAL;
import static org.serverhold.registry.schema.Tables.REGISTRAR;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.schema.enums.CredentialRole;
import org.serverhold.registry.schema.tables.records.CredentialRecord;

/**
 * Creates, finds and revokes credentials. A bearer token is 256 random bits, shown once at
 * creation and stored as its SHA-256 (a slow hash adds nothing for a random 256-bit secret).
 * Lookups hit the database on every call, so a revocation takes effect on the next call.
 */
public final class CredentialStore {
  private static final String TOKEN_PREFIX = "sh_";

  private final Database db;
  private final AuditLog audit;
  private final SecureRandom random = new SecureRandom();

  public CredentialStore(Database db, AuditLog audit) {
    this.db = db;
    this.audit = audit;
  }

  /** A created credential and its token, which is never shown again. */
  public record Created(Credential credential, String token) {}

  public void ensureRegistrar(Principal actor, String registrarId, String name) {
    db.run(tx -> {
      int inserted = tx.insertInto(REGISTRAR).set(REGISTRAR.ID, registrarId).set(REGISTRAR.NAME, name)
          .onDuplicateKeyIgnore().execute();
      if (inserted > 0) {
        audit.append(tx, new AuditEntry(actor, "", "registrar.create", "registrar", registrarId, "", null,
            Json.of(Map.of("name", name))));
      }
    });
  }

  public Created createToken(Principal actor, String principal, Role role, String registrarId, List<Cidr> sources,
      String description) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Credential c = insert(actor, principal, role, registrarId, sources, description, hash(token), null);
    return new Created(c, token);
  }

  public Credential createCertificate(Principal actor, String principal, Role role, String registrarId,
      List<Cidr> sources, String description, String sha256Fingerprint) {
    String fp = sha256Fingerprint.replace(":", "").toLowerCase(java.util.Locale.ROOT);
    if (!fp.matches("[0-9a-f]{64}")) {
      throw RegistryException.invalid("fingerprint", "must be a SHA-256 fingerprint (64 hex digits)");
    }
    return insert(actor, principal, role, registrarId, sources, description, null, fp);
  }

  private Credential insert(Principal actor, String principal, Role role, String registrarId, List<Cidr> sources,
      String description, byte[] tokenHash, String certFingerprint) {
    if ((role == Role.REGISTRAR) != (registrarId != null && !registrarId.isEmpty())) {
      throw RegistryException.invalid("registrar", "a REGISTRAR credential names its registrar, and only it does");
    }
    if (principal == null || !principal.matches("[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}")) {
      throw RegistryException.invalid("principal", "must be 1-128 letters, digits or . _ @ : -");
    }
    return db.transaction(tx -> {
      if (registrarId != null && !tx.fetchExists(REGISTRAR, REGISTRAR.ID.eq(registrarId))) {
        throw RegistryException.notFound("REGISTRAR_NOT_FOUND", "no registrar " + registrarId);
      }
      tx.insertInto(CREDENTIAL)
          .set(CREDENTIAL.TOKEN_HASH, tokenHash)
          .set(CREDENTIAL.CERT_FINGERPRINT, certFingerprint)
          .set(CREDENTIAL.PRINCIPAL, principal)
          .set(CREDENTIAL.ROLE, CredentialRole.valueOf(role.name()))
          .set(CREDENTIAL.REGISTRAR_ID, registrarId)
          .set(CREDENTIAL.ALLOWED_CIDRS, sources.isEmpty() ? null : String.join(",", sources.stream().map(Cidr::toString).toList()))
          .set(CREDENTIAL.DESCRIPTION, description)
          .execute();
      long id = tx.lastID().longValue();
      audit.append(tx, new AuditEntry(actor, "", "credential.create", "credential", Long.toString(id), "", null,
          Json.of(Map.of("principal", principal, "role", role.name(), "registrar", String.valueOf(registrarId),
              "sources", sources.stream().map(Cidr::toString).toList(), "kind", tokenHash != null ? "token" : "certificate"))));
      return byId(tx, id).orElseThrow();
    });
  }

  public List<Credential> list() {
    return db.transaction(tx -> tx.selectFrom(CREDENTIAL).orderBy(CREDENTIAL.ID).fetch(CredentialStore::toCredential));
  }

  public Credential revoke(Principal actor, long id, Instant now) {
    return db.transaction(tx -> {
      Credential c = byId(tx, id).orElseThrow(() -> RegistryException.notFound("CREDENTIAL_NOT_FOUND", "no credential " + id));
      if (!c.active()) {
        throw RegistryException.precondition("ALREADY_REVOKED", "credential " + id + " is already revoked");
      }
      tx.update(CREDENTIAL).set(CREDENTIAL.REVOKED_AT, Timestamps.toDb(now)).where(CREDENTIAL.ID.eq(id)).execute();
      audit.append(tx, new AuditEntry(actor, "", "credential.revoke", "credential", Long.toString(id), "",
          Json.of(Map.of("active", true)), Json.of(Map.of("active", false))));
      return byId(tx, id).orElseThrow();
    });
  }

  public Optional<Credential> byToken(String token) {
    byte[] h = hash(token);
    return db.dsl().selectFrom(CREDENTIAL).where(CREDENTIAL.TOKEN_HASH.eq(h)).fetchOptional()
        .map(CredentialStore::toCredential);
  }

  /** Whether credential {@code id} still works (long-lived streams re-check it). */
  public boolean isActive(long id) {
    return db.dsl().fetchExists(CREDENTIAL, CREDENTIAL.ID.eq(id), CREDENTIAL.REVOKED_AT.isNull());
  }

  public Optional<Credential> byCertificate(String sha256Hex) {
    return db.dsl().selectFrom(CREDENTIAL).where(CREDENTIAL.CERT_FINGERPRINT.eq(sha256Hex)).fetchOptional()
        .map(CredentialStore::toCredential);
  }

  private Optional<Credential> byId(DSLContext tx, long id) {
    return tx.selectFrom(CREDENTIAL).where(CREDENTIAL.ID.eq(id)).fetchOptional().map(CredentialStore::toCredential);
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Credential toCredential(CredentialRecord r) {
    List<Cidr> sources = new ArrayList<>();
    if (r.getAllowedCidrs() != null) {
      for (String s : r.getAllowedCidrs().split(",")) {
        sources.add(Cidr.parse(s));
      }
    }
    return new Credential(r.getId(), r.getPrincipal(), Role.valueOf(r.getRole().name()), r.getRegistrarId(), sources,
        r.getDescription(), r.getCertFingerprint() != null, Timestamps.fromDb(r.getCreatedAt()),
        Timestamps.fromDb(r.getRevokedAt()));
  }
}
