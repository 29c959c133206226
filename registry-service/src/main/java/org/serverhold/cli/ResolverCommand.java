package org.serverhold.cli;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.serverhold.resolver.ResolverApp;
import org.serverhold.resolver.ResolverConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The DNS operator's side: a policy-enforcing gateway fed by a registry. */
@Command(name = "resolver", mixinStandardHelpOptions = true, description = "Run the resolver gateway.",
    subcommands = ResolverCommand.Run.class)
public final class ResolverCommand {
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Serve DNS (UDP and TCP) under the registry's policy. The configuration file's keys are listed in"
          + " resolver-plugin's ResolverConfig and in the README.")
  static final class Run implements Runnable {
    @Option(names = {"--config", "-c"}, required = true, description = "Configuration file (Java properties).")
    Path config;

    @Override
    public void run() {
      ResolverApp app;
      try {
        app = ResolverApp.start(ResolverConfig.load(config));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot start the resolver: " + e.getMessage(), e);
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        app.close();
        stopped.countDown();
      }, "resolver-shutdown"));
      System.out.println("serverhold resolver serving DNS on " + app.gateway().addresses()
          + (app.gateway().metricsPort() > 0 ? ", metrics on :" + app.gateway().metricsPort() + "/metrics" : ""));
      System.out.flush();
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
