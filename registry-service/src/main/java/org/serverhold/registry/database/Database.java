package org.serverhold.registry.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.conf.Settings;

/**
 * The registry's only state: a pool over one MySQL-compatible database, migrated by Flyway at
 * start-up, and a transaction runner that retries deadlocks (InnoDB picks a victim when two
 * writers lock the same rows in different orders; the victim is safe to run again).
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Database.class.getName());
  private static final int MAX_ATTEMPTS = 20;

  private final HikariDataSource dataSource;
  private final EmbeddedMariaDb embedded;
  private final ServerFlavor flavor;
  private final DSLContext dsl;
  private final java.util.List<Runnable> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Database(HikariDataSource dataSource, EmbeddedMariaDb embedded, ServerFlavor flavor) {
    this.dataSource = dataSource;
    this.embedded = embedded;
    this.flavor = flavor;
    Settings settings = new Settings()
        .withReturnIdentityOnUpdatableRecord(false)
        .withRenderSchema(false)
        .withExecuteLogging(false);
    this.dsl = DSL.using(dataSource, flavor.dialect(), settings);
  }

  /** Connects (starting the embedded server when no url is configured) and migrates the schema. */
  public static Database open(DatabaseConfig config) {
    EmbeddedMariaDb embedded = null;
    String url = config.url();
    String user = config.user();
    String password = config.password();
    if (config.embedded()) {
      embedded = EmbeddedMariaDb.start(config.dataDir());
      url = embedded.jdbcUrl();
      user = "root";
      password = "";
    }
    try {
      HikariDataSource dataSource = pool(url, user, password, config.poolSize(), config.connectionTimeout().toMillis());
      ServerFlavor flavor = detectFlavor(dataSource);
      migrate(dataSource);
      return new Database(dataSource, embedded, flavor);
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  private static HikariDataSource pool(String url, String user, String password, int size, long connectionTimeoutMillis) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(withDefaults(url));
    hikari.setUsername(user);
    hikari.setPassword(password == null ? "" : password);
    hikari.setMaximumPoolSize(size);
    hikari.setPoolName("serverhold-db");
    // READ COMMITTED: a statement run after a row lock was granted sees what the lock holder
    // committed. Under REPEATABLE READ a registration that waited for a takedown's holder lock
    // would still read the blacklist as it was before the takedown (its older snapshot).
    hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    // With the server gone, a call waits this long for a connection, then is answered UNAVAILABLE.
    hikari.setConnectionTimeout(connectionTimeoutMillis);
    hikari.setInitializationFailTimeout(30_000);
    return new HikariDataSource(hikari);
  }

  /** Connector/J options every deployment needs; explicit ones in the url win. */
  static String withDefaults(String url) {
    StringBuilder out = new StringBuilder(url);
    char sep = url.contains("?") ? '&' : '?';
    String[][] defaults = {
      {"rewriteBatchedStatements", "true"}, // 100k-row batches: ~1-2 s instead of 6-16 s
      {"useUnicode", "true"},
      {"characterEncoding", "UTF-8"},
      {"connectionTimeZone", "UTC"},
      {"forceConnectionTimeZoneToSession", "true"},
      {"allowPublicKeyRetrieval", "true"},
      {"sslMode", "PREFERRED"},
      // A database that stops answering (rather than dying) must not hold server threads forever;
      // longer than any one statement here, a 100,000-domain takedown's included.
      {"socketTimeout", "120000"},
      {"connectTimeout", "10000"},
    };
    for (String[] option : defaults) {
      if (!url.contains(option[0] + "=")) {
        out.append(sep).append(option[0]).append('=').append(option[1]);
        sep = '&';
      }
    }
    return out.toString();
  }

  private static ServerFlavor detectFlavor(HikariDataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      String version = c.getMetaData().getDatabaseProductVersion();
      ServerFlavor flavor = ServerFlavor.fromVersion(version);
      LOG.info(() -> "database server " + version + " (" + flavor + ")");
      return flavor;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
    }
  }

  private static void migrate(HikariDataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  public DSLContext dsl() {
    return dsl;
  }

  public ServerFlavor flavor() {
    return flavor;
  }

  /** Runs {@code work} in one transaction, again from the start if the server chose it as a deadlock victim. */
  public <T> T transaction(Function<DSLContext, T> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        T result = dsl.transactionResult(configuration -> work.apply(configuration.dsl()));
        commitListeners.forEach(Runnable::run);
        return result;
      } catch (RuntimeException e) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(e)) {
          throw e;
        }
        backoff(attempt);
      }
    }
  }

  /** Called after every committed transaction of this process (e.g. to wake the policy feed). */
  public void afterCommit(Runnable listener) {
    commitListeners.add(listener);
  }

  public void run(java.util.function.Consumer<DSLContext> work) {
    transaction(tx -> {
      work.accept(tx);
      return null;
    });
  }

  /** Deadlock (1213, SQLSTATE 40001) or lock wait timeout (1205): the whole transaction rolled back. */
  static boolean isRetryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        if ("40001".equals(sql.getSQLState()) || sql.getErrorCode() == 1213 || sql.getErrorCode() == 1205) {
          return true;
        }
      }
      if (t instanceof RetryTransaction) {
        return true;
      }
    }
    return false;
  }

  private static void backoff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(1, 10 * Math.min(attempt, 8) + 2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a transaction", e);
    }
  }

  /** Thrown inside a transaction to have it rolled back and run again (a lost insert race). */
  public static final class RetryTransaction extends RuntimeException {
    public RetryTransaction(String message) {
      super(message, null, false, false);
    }
  }

  public javax.sql.DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
