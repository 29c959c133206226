package org.serverhold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.registry.Registry;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.importer.ImportFiles;
import org.serverhold.registry.testing.TestDatabases;
import picocli.CommandLine;

/** {@code serverhold import} as an operator runs it: exit status, JSON summary, rejects file, resume message. */
class ImportCommandTest {
  @TempDir Path tmp;

  @Test
  void importsReportsRejectsAndKnowsFinishedFiles() throws Exception {
    Database db = TestDatabases.fresh(Files.createTempDirectory(tmp, "db"));
    Registry r = new Registry(db, new HolderKeys(HolderKeys.newKey(), HolderKeys.newKey()), RegistryConfig.DEFAULT_ZONES,
        Clock.systemUTC());
    try {
      r.credentials.ensureRegistrar(Principal.system("test"), "reg-a", "Registrar A");
      ImportFiles.Set files = ImportFiles.write(tmp.resolve("in"), 20, 2, 90, 13);
      String name = db.dsl().fetchValue("select database()").toString();
      String[] url = TestDatabases.urlUserPassword(name);
      String[] args = {"import", "--db-url", url[0], "--db-user", url[1], "--db-password=" + url[2],
          "--data-dir", tmp.resolve("data").toString(), "--holders", files.holders().toString(),
          "--filings", files.filings().toString(), "--domains", files.domains().toString(), "--batch", "7",
          "--rejects", tmp.resolve("rejects.csv").toString(), "--json"};

      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = ServerholdCommand.newCommandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      int exit = cl.execute(args);

      assertThat(exit).as(err.toString()).isEqualTo(3);
      assertThat(out.toString()).startsWith("{\"run\":").contains("\"already_done\":false",
          "\"holders.csv\":{\"read\":20,", "\"domains.csv\":{\"read\":40,");
      assertThat(Files.readAllLines(tmp.resolve("rejects.csv")).getFirst()).isEqualTo("file,line,field,problem");
      assertThat(Files.readAllLines(tmp.resolve("rejects.csv"))).hasSizeGreaterThan(1);

      StringWriter again = new StringWriter();
      cl = ServerholdCommand.newCommandLine();
      cl.setOut(new PrintWriter(again, true));
      cl.setErr(new PrintWriter(new StringWriter(), true));
      assertThat(cl.execute(java.util.Arrays.copyOf(args, args.length - 1))).isEqualTo(3);
      assertThat(again.toString()).contains("imported completely by run");

      StringWriter help = new StringWriter();
      cl = ServerholdCommand.newCommandLine();
      cl.setOut(new PrintWriter(help, true));
      cl.execute("import", "--help");
      assertThat(help.toString()).contains("holder_ref,identity_type,identity_number,name",
          "domain,holder_ref,registrar_id,registrant_handle,verified,created,expires",
          "filing_number,sponsor_name,sponsor_type,service_type,service_name,access_provider,domain");
    } finally {
      r.close();
      TestDatabases.drop(db);
      db.close();
    }
  }
}
