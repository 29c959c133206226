package org.serverhold.registry.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the embedded test server once every test of the JVM has run. */
public final class StopTestDatabase implements LauncherSessionListener {
  @Override
  public void launcherSessionClosed(LauncherSession session) {
    TestDatabases.shutdown();
  }
}
