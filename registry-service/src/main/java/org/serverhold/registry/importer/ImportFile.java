package org.serverhold.registry.importer;

import java.util.List;

/**
 * The three input files, in the order they are imported: holders first (domains refer to them),
 * filings before domains (so a migrated domain is published ALLOW at once, never NOT_FILED first).
 */
public enum ImportFile {
  HOLDERS("holders.csv", List.of("holder_ref", "identity_type", "identity_number", "name")),
  FILINGS("filings.csv", List.of("filing_number", "sponsor_name", "sponsor_type", "service_type", "service_name",
      "access_provider", "domain")),
  DOMAINS("domains.csv", List.of("domain", "holder_ref", "registrar_id", "registrant_handle", "verified", "created",
      "expires"));

  private final String label;
  private final List<String> columns;

  ImportFile(String label, List<String> columns) {
    this.label = label;
    this.columns = columns;
  }

  /** The usual file name, used in messages and the rejects file. */
  public String label() {
    return label;
  }

  /** The header the file must have (any order; no other columns). */
  public List<String> columns() {
    return columns;
  }
}
