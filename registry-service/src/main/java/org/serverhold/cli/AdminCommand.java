package org.serverhold.cli;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.auth.Cidr;
import org.serverhold.registry.auth.Credential;
import org.serverhold.registry.auth.CredentialStore;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.database.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Registry administration, straight on the database (so the first credential can be made). */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Registrars and credentials.",
    subcommands = {AdminCommand.RegistrarCreate.class, AdminCommand.CredentialCommands.class})
public final class AdminCommand {
  static Principal operator() {
    return new Principal("admin-cli:" + System.getProperty("user.name", "unknown"), Role.ADMIN, null, 0);
  }

  /** {@code admin registrar create}. */
  @Command(name = "registrar", mixinStandardHelpOptions = true, description = "Registrars.",
      subcommands = RegistrarCreate.Create.class)
  static final class RegistrarCreate {
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a registrar (idempotent).")
    static final class Create implements Runnable {
      @Mixin DatabaseOptions database;
      @Mixin Output output;
      @Parameters(index = "0", description = "Registrar id, e.g. reg-1.") String id;
      @Option(names = "--name", required = true, description = "Display name.") String name;

      @Override
      public void run() {
        if (!id.matches("[a-z0-9][a-z0-9-]{0,63}")) {
          throw new IllegalArgumentException("a registrar id is 1-64 lower-case letters, digits or '-'");
        }
        try (Database db = database.openForAdmin()) {
          new CredentialStore(db, new AuditLog(java.time.Clock.systemUTC())).ensureRegistrar(operator(), id, name);
        }
        output.print(Map.of("registrar", id, "name", name), "registrar " + id + " (" + name + ") exists");
      }
    }
  }

  /** {@code admin credential create|list|revoke}. */
  @Command(name = "credential", mixinStandardHelpOptions = true, description = "Credentials.",
      subcommands = {CredentialCommands.Create.class, CredentialCommands.ListCredentials.class,
          CredentialCommands.Revoke.class})
  static final class CredentialCommands {
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a credential. A bearer token is printed once and never stored in clear.")
    static final class Create implements Runnable {
      @Mixin DatabaseOptions database;
      @Mixin Output output;
      @Option(names = "--principal", required = true, description = "Who uses it (recorded as the actor).") String principal;
      @Option(names = "--role", required = true, description = "One of: ${COMPLETION-CANDIDATES}.") Role role;
      @Option(names = "--registrar", description = "The registrar, for role REGISTRAR.") String registrar;
      @Option(names = "--source", split = ",", description = "Allowed source address ranges (CIDR).") List<String> sources = List.of();
      @Option(names = "--cert-fingerprint", description = "Use a client certificate (SHA-256 fingerprint) instead of a token.")
      String fingerprint;
      @Option(names = "--description", defaultValue = "", description = "Free text.") String description;

      @Override
      public void run() {
        List<Cidr> ranges = sources.stream().map(Cidr::parse).toList();
        try (Database db = database.openForAdmin()) {
          CredentialStore store = new CredentialStore(db, new AuditLog(java.time.Clock.systemUTC()));
          if (fingerprint != null) {
            Credential c = store.createCertificate(operator(), principal, role, registrar, ranges, description, fingerprint);
            output.print(Map.of("id", c.id(), "principal", principal, "role", role.name()),
                "credential " + c.id() + " for " + principal + " (" + role + ", client certificate)");
          } else {
            var created = store.createToken(operator(), principal, role, registrar, ranges, description);
            output.print(Map.of("id", created.credential().id(), "principal", principal, "role", role.name(),
                "token", created.token()),
                "credential " + created.credential().id() + " for " + principal + " (" + role + ")\n"
                    + "token (shown once, keep it secret): " + created.token());
          }
        }
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List credentials (never their tokens).")
    static final class ListCredentials implements Runnable {
      @Mixin DatabaseOptions database;
      @Mixin Output output;

      @Override
      public void run() {
        try (Database db = database.openForAdmin()) {
          var all = new CredentialStore(db, new AuditLog(java.time.Clock.systemUTC())).list();
          output.table(List.of("ID", "PRINCIPAL", "ROLE", "REGISTRAR", "KIND", "SOURCES", "STATE"),
              all.stream().map(c -> List.<Object>of(c.id(), c.principal(), c.role(), c.registrarId() == null ? "" : c.registrarId(),
                  c.byCertificate() ? "certificate" : "token",
                  String.join(",", c.allowedSources().stream().map(Cidr::toString).toList()),
                  c.active() ? "active" : "revoked")).toList());
        }
      }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a credential: its next call fails.")
    static final class Revoke implements Runnable {
      @Mixin DatabaseOptions database;
      @Mixin Output output;
      @Parameters(index = "0", description = "Credential id (see list).") long id;

      @Override
      public void run() {
        try (Database db = database.openForAdmin()) {
          new CredentialStore(db, new AuditLog(java.time.Clock.systemUTC())).revoke(operator(), id, Instant.now());
        }
        output.print(Map.of("id", id, "state", "revoked"), "credential " + id + " revoked");
      }
    }
  }
}
