package org.serverhold.registry.importer;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.serverhold.registry.domain.RefusalReason;
import org.serverhold.registry.domain.RegistrationFacts;
import org.serverhold.registry.domain.RegistrationRules;
import org.serverhold.registry.failure.FieldViolation;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.filing.Filing;
import org.serverhold.registry.filing.FilingInput;
import org.serverhold.registry.filing.FilingNumber;
import org.serverhold.registry.filing.ServiceType;
import org.serverhold.registry.filing.SponsorType;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.IdentityRules;
import org.serverhold.registry.holder.IdentityType;
import org.serverhold.registry.holder.RegistrantInput;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.name.DomainNames;
import org.serverhold.registry.name.ManagedZones;

/**
 * What a row must be to be imported, free of storage: every field checked by the same rules the
 * API applies (IDNA names, managed zones and registrable names, identity check digits, filing
 * number shapes, handles, text limits). A bad row yields one {@link Reject} per problem.
 */
final class ImportRules {
  static final int MAX_REF = 128;

  private final DomainNames names;
  private final ManagedZones zones;
  private final FilingInput filingInput;
  private final RegistrationRules registration = new RegistrationRules();

  ImportRules(DomainNames names, ManagedZones zones) {
    this.names = names;
    this.zones = zones;
    this.filingInput = new FilingInput(names);
  }

  record HolderRow(long line, String ref, Identity identity) {}

  record DomainRow(long line, DomainName name, String zone, String holderRef, String registrarId, String handle,
      boolean verified, Instant created, Instant expires) {}

  record FilingRow(long line, FilingNumber number, String sponsorName, SponsorType sponsorType, ServiceType serviceType,
      String serviceName, String accessProvider, DomainName domain) {}

  /** The rows of one filing number, and the filing they make when every row is good. */
  record FilingGroup(String number, List<Long> lines, Filing filing) {}

  // ---------------------------------------------------------------- holders.csv

  HolderRow holder(CsvRows.Row row, List<Reject> rejects) {
    List<Reject> problems = new ArrayList<>();
    if (shape(ImportFile.HOLDERS, row, problems)) {
      rejects.addAll(problems);
      return null;
    }
    String ref = ref(ImportFile.HOLDERS, row.line(), "holder_ref", row.get(0), problems);
    IdentityType type = enumValue(ImportFile.HOLDERS, row.line(), "identity_type", row.get(1), IdentityType.class,
        problems);
    Identity identity = null;
    if (type != null) {
      try {
        identity = IdentityRules.normalize("identity", type, row.get(2), row.get(3));
      } catch (RegistryException e) {
        for (FieldViolation v : e.violations()) {
          problems.add(new Reject(ImportFile.HOLDERS, row.line(), switch (v.field()) {
            case "identity.number" -> "identity_number";
            case "identity.name" -> "name";
            default -> "identity_type";
          }, v.description()));
        }
      }
    }
    rejects.addAll(problems);
    return problems.isEmpty() ? new HolderRow(row.line(), ref, identity) : null;
  }

  // ---------------------------------------------------------------- domains.csv

  /** Checks the row's own fields (not yet what the registry holds: see {@link #refusals}). */
  DomainRow domain(CsvRows.Row row, List<Reject> rejects) {
    List<Reject> problems = new ArrayList<>();
    if (shape(ImportFile.DOMAINS, row, problems)) {
      rejects.addAll(problems);
      return null;
    }
    long line = row.line();
    DomainName name = name(ImportFile.DOMAINS, line, "domain", row.get(0), problems);
    String zone = null;
    if (name != null) {
      Optional<String> z = zones.zoneOf(name.ascii());
      zone = z.orElse(null);
      // Zone and shape are refusals the registration rules decide, on facts known without the database.
      var decision = registration.decide(new RegistrationFacts(z.isPresent(),
          z.isPresent() && ManagedZones.isRegistrableUnder(name.ascii(), z.get()), false, false, false, true, true));
      for (RefusalReason r : decision.refusals()) {
        problems.add(new Reject(ImportFile.DOMAINS, line, "domain", refusal(r, name)));
      }
    }
    String ref = ref(ImportFile.DOMAINS, line, "holder_ref", row.get(1), problems);
    String registrar = row.get(2).strip();
    if (!registrar.matches("[a-z0-9][a-z0-9-]{0,63}")) {
      problems.add(new Reject(ImportFile.DOMAINS, line, "registrar_id",
          registrar.isEmpty() ? "is required" : "a registrar id is 1-64 lower-case letters, digits or '-'"));
    }
    Violations v = new Violations();
    String handle = RegistrantInput.validHandle(v, "registrant_handle", row.get(3));
    collect(ImportFile.DOMAINS, line, v, problems);
    Boolean verified = switch (row.get(4).strip().toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> {
        problems.add(new Reject(ImportFile.DOMAINS, line, "verified", "must be true or false"));
        yield null;
      }
    };
    Instant created = instant(line, "created", row.get(5), problems);
    Instant expires = instant(line, "expires", row.get(6), problems);
    if (created != null && expires != null && !expires.isAfter(created)) {
      problems.add(new Reject(ImportFile.DOMAINS, line, "expires", "must be after created"));
    }
    rejects.addAll(problems);
    return problems.isEmpty()
        ? new DomainRow(line, name, zone, ref, registrar, handle, verified, created, expires)
        : null;
  }

  /** The registration rules' refusals for a row, given what the registry holds about its name and holder. */
  List<RefusalReason> refusals(DomainRow row, boolean flagged, boolean holderBlacklisted) {
    return registration.decide(new RegistrationFacts(true, true, false, flagged, holderBlacklisted, row.verified(),
        true)).refusals();
  }

  static String refusal(RefusalReason reason, DomainName name) {
    return switch (reason) {
      case ZONE_NOT_MANAGED -> "ZONE_NOT_MANAGED: " + name.ascii() + " is under no zone this registry runs";
      case NOT_REGISTRABLE -> "NOT_REGISTRABLE: " + name.ascii() + " is not one label below a managed zone";
      case DOMAIN_FLAGGED -> "DOMAIN_FLAGGED: " + name.ascii() + " is flagged by a bureau";
      case HOLDER_BLACKLISTED -> "HOLDER_BLACKLISTED: the holder may not register names";
      case DOMAIN_TAKEN -> "DOMAIN_TAKEN: " + name.ascii() + " is registered to another holder";
      default -> reason.name();
    };
  }

  // ---------------------------------------------------------------- filings.csv

  FilingRow filingRow(CsvRows.Row row, List<Reject> rejects) {
    List<Reject> problems = new ArrayList<>();
    if (shape(ImportFile.FILINGS, row, problems)) {
      rejects.addAll(problems);
      return null;
    }
    long line = row.line();
    FilingNumber number = null;
    try {
      number = FilingNumber.parse("filing_number", row.get(0));
    } catch (RegistryException e) {
      problems.add(new Reject(ImportFile.FILINGS, line, "filing_number", e.violations().getFirst().description()));
    }
    Violations v = new Violations();
    String sponsor = v.text("sponsor_name", row.get(1), true, 200);
    SponsorType sponsorType = enumValue(ImportFile.FILINGS, line, "sponsor_type", row.get(2), SponsorType.class, problems);
    ServiceType serviceType = enumValue(ImportFile.FILINGS, line, "service_type", row.get(3), ServiceType.class, problems);
    String service = v.text("service_name", row.get(4), true, 200);
    String provider = v.text("access_provider", row.get(5), true, 200);
    collect(ImportFile.FILINGS, line, v, problems);
    DomainName domain = name(ImportFile.FILINGS, line, "domain", row.get(6), problems);
    rejects.addAll(problems);
    return problems.isEmpty()
        ? new FilingRow(line, number, sponsor, sponsorType, serviceType, service, provider, domain)
        : null;
  }

  /**
   * Makes one filing of a group of consecutive rows with the same filing number. The group is
   * taken whole or not at all: when any row is bad (or the rows disagree), every row is rejected.
   *
   * @param rows the parsed rows, null where a row was bad (its problems are already in {@code rejects})
   */
  FilingGroup filingGroup(String number, List<Long> lines, List<FilingRow> rows, List<Reject> rejects) {
    List<Reject> problems = new ArrayList<>();
    FilingRow first = rows.stream().filter(Objects::nonNull).findFirst().orElse(null);
    boolean bad = first == null || rows.contains(null);
    Set<String> seen = new LinkedHashSet<>();
    Map<String, Long> seenAt = new LinkedHashMap<>();
    if (first != null) {
      for (FilingRow r : rows) {
        if (r == null) {
          continue;
        }
        disagree(r, "sponsor_name", r.sponsorName(), first.sponsorName(), first.line(), problems);
        disagree(r, "sponsor_type", r.sponsorType(), first.sponsorType(), first.line(), problems);
        disagree(r, "service_type", r.serviceType(), first.serviceType(), first.line(), problems);
        disagree(r, "service_name", r.serviceName(), first.serviceName(), first.line(), problems);
        disagree(r, "access_provider", r.accessProvider(), first.accessProvider(), first.line(), problems);
        if (!seen.add(r.domain().ascii())) {
          problems.add(new Reject(ImportFile.FILINGS, r.line(), "domain",
              "is listed twice for this filing (first at line " + seenAt.get(r.domain().ascii()) + ")"));
        }
        seenAt.putIfAbsent(r.domain().ascii(), r.line());
      }
    }
    Filing filing = null;
    if (!bad && problems.isEmpty()) {
      try {
        filing = filingInput.validate(new Violations(), new FilingInput.Raw(first.number().value(), "",
            first.sponsorName(), first.sponsorType(), null, null, null, first.serviceType(), first.serviceName(),
            first.accessProvider(), List.copyOf(seen), false));
      } catch (RegistryException e) {
        for (FieldViolation v : e.violations()) {
          problems.add(new Reject(ImportFile.FILINGS, lines.getFirst(), "filing_number",
              "the filing is refused: " + v.field() + " " + v.description()));
        }
      }
    }
    if (filing == null) {
      // Whole or nothing: the rows that were fine on their own are rejected with their filing.
      Set<Long> reported = new LinkedHashSet<>();
      for (int i = 0; i < lines.size(); i++) {
        if (rows.get(i) == null) {
          reported.add(lines.get(i));
        }
      }
      problems.forEach(x -> reported.add(x.line()));
      long firstBad = lines.stream().filter(reported::contains).findFirst().orElse(lines.getFirst());
      for (int i = 0; i < lines.size(); i++) {
        if (rows.get(i) != null && !reported.contains(lines.get(i))) {
          problems.add(new Reject(ImportFile.FILINGS, lines.get(i), "filing_number",
              "filing " + number + " is rejected whole: see line " + firstBad));
        }
      }
      problems.sort(java.util.Comparator.comparingLong(Reject::line));
    }
    rejects.addAll(problems);
    return new FilingGroup(number, lines, filing);
  }

  /** The key rows are grouped by: the normalized filing number, or the raw text of an unparseable one. */
  static String groupKey(CsvRows.Row row) {
    String raw = row.values().length > 0 ? row.get(0) : "";
    try {
      return FilingNumber.parse("filing_number", raw).value();
    } catch (RegistryException e) {
      return raw.strip();
    }
  }

  private static void disagree(FilingRow r, String field, Object value, Object firstValue, long firstLine,
      List<Reject> problems) {
    if (!Objects.equals(value, firstValue)) {
      problems.add(new Reject(ImportFile.FILINGS, r.line(), field,
          "differs from line " + firstLine + " of the same filing"));
    }
  }

  // ---------------------------------------------------------------- shared checks

  private static boolean shape(ImportFile file, CsvRows.Row row, List<Reject> problems) {
    if (row.shapeProblem() != null) {
      problems.add(new Reject(file, row.line(), "row", row.shapeProblem()));
      return true;
    }
    return false;
  }

  private DomainName name(ImportFile file, long line, String field, String input, List<Reject> problems) {
    try {
      return names.normalize(field, input);
    } catch (RegistryException e) {
      problems.add(new Reject(file, line, field, e.violations().getFirst().description()));
      return null;
    }
  }

  private static String ref(ImportFile file, long line, String field, String input, List<Reject> problems) {
    String ref = input == null ? "" : input.strip();
    Violations v = new Violations();
    v.text(field, ref, true, MAX_REF);
    collect(file, line, v, problems);
    return ref;
  }

  private static <E extends Enum<E>> E enumValue(ImportFile file, long line, String field, String input, Class<E> type,
      List<Reject> problems) {
    String s = input == null ? "" : input.strip().toUpperCase(Locale.ROOT);
    if (s.isEmpty()) {
      problems.add(new Reject(file, line, field, "is required"));
      return null;
    }
    try {
      return Enum.valueOf(type, s);
    } catch (IllegalArgumentException e) {
      problems.add(new Reject(file, line, field, "must be one of " + java.util.Arrays.toString(type.getEnumConstants())));
      return null;
    }
  }

  /** {@code 2024-01-31} (midnight UTC) or an ISO-8601 date-time with an offset ({@code 2024-01-31T08:00:00+08:00}). */
  private static Instant instant(long line, String field, String input, List<Reject> problems) {
    String s = input == null ? "" : input.strip();
    if (s.isEmpty()) {
      problems.add(new Reject(ImportFile.DOMAINS, line, field, "is required"));
      return null;
    }
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      Instant t = OffsetDateTime.parse(s).toInstant();
      // Whole seconds: what every supported server keeps (MariaDB 10.11 via Connector/J drops fractions).
      return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    } catch (DateTimeParseException e) {
      problems.add(new Reject(ImportFile.DOMAINS, line, field,
          "is not a date (2024-01-31) or date-time with offset (2024-01-31T08:00:00+08:00)"));
      return null;
    }
  }

  private static void collect(ImportFile file, long line, Violations v, List<Reject> problems) {
    try {
      v.throwIfAny();
    } catch (RegistryException e) {
      for (FieldViolation f : e.violations()) {
        problems.add(new Reject(file, line, f.field(), f.description()));
      }
    }
  }
}
