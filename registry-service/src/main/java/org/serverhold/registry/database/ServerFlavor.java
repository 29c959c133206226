package org.serverhold.registry.database;

import org.jooq.SQLDialect;

/**
 * Which MySQL-family server we are connected to. jOOQ's MYSQL and MARIADB dialects each render
 * something the other server or Connector/J rejects (upsert aliases, RETURNING), so the dialect is
 * chosen from the server at start-up and the code keeps to what works on both.
 */
public enum ServerFlavor {
  MARIADB(SQLDialect.MARIADB),
  MYSQL(SQLDialect.MYSQL);

  private final SQLDialect dialect;

  ServerFlavor(SQLDialect dialect) {
    this.dialect = dialect;
  }

  public SQLDialect dialect() {
    return dialect;
  }

  /** MariaDB 10.x announces itself to MySQL clients as "5.5.5-10.11.x-MariaDB". */
  public static ServerFlavor fromVersion(String version) {
    return version != null && version.toLowerCase(java.util.Locale.ROOT).contains("mariadb") ? MARIADB : MYSQL;
  }
}
