package org.serverhold.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** One line per log record on stderr; third-party libraries only above INFO. */
final class Logging {
  private Logging() {}

  static void configure() {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setFormatter(new SimpleFormatter());
    console.setLevel(Level.ALL);
    root.addHandler(console);
    root.setLevel(Level.WARNING);
    Logger.getLogger("org.serverhold").setLevel(Level.INFO);
    // jOOQ warns that MariaDB 11.4 is newer than its dialect's tested versions; it works.
    Logger.getLogger("org.jooq.impl.DefaultExecuteContext.logVersionSupport").setLevel(Level.SEVERE);
  }
}
