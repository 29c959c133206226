package org.serverhold.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.DatabaseConfig;
import org.serverhold.registry.database.EmbeddedMariaDb;
import picocli.CommandLine.Option;

/**
 * Where the registry's database is. With no url, the embedded MariaDB under the data directory:
 * started by {@code serve}, and reused by {@code admin} commands while {@code serve} runs.
 */
public final class DatabaseOptions {
  @Option(names = "--data-dir", defaultValue = "${env:SERVERHOLD_DATA_DIR:-serverhold-data}",
      description = "Data directory: embedded database, keys (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--db-url", defaultValue = "${env:SERVERHOLD_DB_URL}",
      description = "JDBC url of an external MySQL/MariaDB/TiDB (jdbc:mysql://host:3306/db). Default: embedded.")
  String url;

  @Option(names = "--db-user", defaultValue = "${env:SERVERHOLD_DB_USER:-root}", description = "Database user.")
  String user;

  @Option(names = "--db-password", defaultValue = "${env:SERVERHOLD_DB_PASSWORD:-}",
      description = "Database password (prefer the SERVERHOLD_DB_PASSWORD environment variable).")
  String password;

  @Option(names = "--db-pool", defaultValue = "24", description = "Connection pool size (default: ${DEFAULT-VALUE}).")
  int pool;

  /** Opens the database for a long-running server (starting the embedded one when configured so). */
  Database openForServer() {
    return Database.open(new DatabaseConfig(url, user, password, dataDir, pool));
  }

  /** Opens it for a short admin command: joins a running embedded server rather than starting a second. */
  Database openForAdmin() {
    if (url == null || url.isBlank()) {
      Path portFile = dataDir.resolve("mariadb.port");
      if (Files.exists(portFile)) {
        try {
          String running = "jdbc:mysql://127.0.0.1:" + Files.readString(portFile).strip() + "/" + EmbeddedMariaDb.DATABASE;
          DriverManager.getConnection(running + "?sslMode=DISABLED&connectTimeout=1000", "root", "").close();
          return Database.open(new DatabaseConfig(running, "root", "", dataDir, 2));
        } catch (Exception notRunning) {
          // the serving process is not running: start the embedded server for this command
        }
      }
    }
    return Database.open(new DatabaseConfig(url, user, password, dataDir, 2));
  }
}
