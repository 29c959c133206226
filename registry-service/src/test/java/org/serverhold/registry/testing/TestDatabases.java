package org.serverhold.registry.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.DatabaseConfig;
import org.serverhold.registry.database.EmbeddedMariaDb;

/**
 * The database server the tests run against: the one named by {@code SERVERHOLD_TEST_DB_URL}
 * (e.g. jdbc:mysql://127.0.0.1:3306/test, with SERVERHOLD_TEST_DB_USER / _PASSWORD), else one
 * embedded MariaDB per test JVM. Each test gets a fresh database of its own on that server, so
 * tests never see each other's rows.
 */
public final class TestDatabases {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static Server server;

  private TestDatabases() {}

  /** A server: where it is and how to log in. */
  record Server(String baseUrl, String user, String password, EmbeddedMariaDb embedded) {}

  static synchronized Server server() {
    if (server == null) {
      String url = System.getenv("SERVERHOLD_TEST_DB_URL");
      if (url != null && !url.isBlank()) {
        String base = url.replaceFirst("(jdbc:mysql://[^/?]+).*", "$1");
        server = new Server(base, env("SERVERHOLD_TEST_DB_USER", "root"), env("SERVERHOLD_TEST_DB_PASSWORD", ""), null);
      } else {
        try {
          Path home = Path.of("target", "test-mariadb-" + ProcessHandle.current().pid()).toAbsolutePath();
          Files.createDirectories(home);
          EmbeddedMariaDb db = EmbeddedMariaDb.start(home);
          server = new Server("jdbc:mysql://127.0.0.1:" + db.port(), "root", "", db);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    return server;
  }

  static synchronized void shutdown() {
    if (server != null && server.embedded() != null) {
      server.embedded().close();
      deleteQuietly(Path.of("target", "test-mariadb-" + ProcessHandle.current().pid()).toAbsolutePath());
    }
    server = null;
  }

  /** Each test JVM's server takes ~500 MB on disk: remove it once stopped. */
  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // a leftover folder under target/ is harmless
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null ? fallback : v;
  }

  /** Creates an empty database and opens (migrating) it. */
  public static Database fresh(Path dataDir) {
    Server s = server();
    String name = "sh_t_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(s.baseUrl() + "/?allowPublicKeyRetrieval=true", s.user(), s.password());
        Statement st = c.createStatement()) {
      st.execute("drop database if exists " + name);
      st.execute("create database " + name + " character set utf8mb4 collate utf8mb4_bin");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
    }
    return Database.open(new DatabaseConfig(s.baseUrl() + "/" + name, s.user(), s.password(), dataDir, 12));
  }

  /** Connection details of the test server, for tests that start a registry process of their own. */
  public static String[] urlUserPassword(String database) {
    Server s = server();
    return new String[] {s.baseUrl() + "/" + database, s.user(), s.password()};
  }

  /** A second, independent pool on the same database as {@code db} (what a restarted registry process would open). */
  public static Database reopen(Database db, Path dataDir) {
    String schema = db.dsl().fetchValue("select database()").toString();
    String[] c = urlUserPassword(schema);
    return Database.open(new DatabaseConfig(c[0], c[1], c[2], dataDir, 12));
  }

  public static void drop(Database db) {
    String schema = db.dsl().fetchValue("select database()").toString();
    db.dsl().execute("drop database " + schema);
  }
}
