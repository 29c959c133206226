package org.serverhold.resolver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.server.Gateway;
import org.serverhold.resolver.sync.PolicyFile;
import org.serverhold.resolver.sync.PolicySync;

/**
 * A running resolver: policy engine, feed client (when a registry is configured) and gateway.
 * {@link #start(ResolverConfig)} returns once the gateway is serving, with the persisted policy
 * already loaded; {@link #close()} stops everything.
 */
public final class ResolverApp implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ResolverApp.class.getName());

  private final PolicyEngine engine;
  private final PolicySync sync;
  private final Gateway gateway;

  private ResolverApp(PolicyEngine engine, PolicySync sync, Gateway gateway) {
    this.engine = engine;
    this.sync = sync;
    this.gateway = gateway;
  }

  public static ResolverApp start(ResolverConfig config) throws IOException {
    PolicyEngine engine = new PolicyEngine(config.failMode(), config.bootstrapZones());
    PolicySync sync = null;
    Gateway gateway = null;
    try {
      if (config.sync() != null) {
        sync = new PolicySync(config.sync(), engine);
        sync.start(); // loads the policy file first, then follows the feed in the background
      } else if (config.policyFile() != null) {
        try {
          new PolicyFile(config.policyFile()).loadInto(engine);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "ignoring the policy file: " + e.getMessage(), e);
        }
      }
      gateway = new Gateway(config.gateway(), engine, sync);
      gateway.start();
      return new ResolverApp(engine, sync, gateway);
    } catch (IOException | RuntimeException e) {
      if (gateway != null) {
        gateway.close();
      }
      if (sync != null) {
        sync.close();
      }
      throw e;
    }
  }

  public PolicyEngine engine() {
    return engine;
  }

  /** Null when no registry is configured. */
  public PolicySync sync() {
    return sync;
  }

  public Gateway gateway() {
    return gateway;
  }

  @Override
  public void close() {
    gateway.close();
    if (sync != null) {
      sync.close();
    }
  }

  /** {@code java -cp ... org.serverhold.resolver.ResolverApp --config FILE}. */
  public static void main(String[] args) throws Exception {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (("--config".equals(args[i]) || "-c".equals(args[i])) && i + 1 < args.length) {
        file = Path.of(args[++i]);
      }
    }
    if (file == null) {
      System.err.println("usage: ResolverApp --config FILE");
      System.exit(2);
    }
    ResolverApp app = start(ResolverConfig.load(file));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      stopped.countDown();
    }, "resolver-shutdown"));
    System.err.println("serverhold resolver serving DNS on " + app.gateway().addresses()
        + (app.gateway().metricsPort() > 0 ? ", metrics on :" + app.gateway().metricsPort() : ""));
    stopped.await();
  }
}
