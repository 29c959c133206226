package org.serverhold.registry.database;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** The database keeps UTC DATETIMEs (the connection's time zone is UTC); the code uses Instants. */
public final class Timestamps {
  private Timestamps() {}

  public static LocalDateTime toDb(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  public static Instant fromDb(LocalDateTime time) {
    return time == null ? null : time.toInstant(ZoneOffset.UTC);
  }
}
