package org.serverhold.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one command users run. */
@Command(name = "serverhold", mixinStandardHelpOptions = true, version = "serverhold 0.1.0",
    description = "Domain-registry blacklist and resolution control.",
    subcommands = {ServeCommand.class, AdminCommand.class, DomainCommand.class, FilingCommand.class,
        BlacklistCommand.class, TakedownCommand.class, FlagCommand.class, PolicyCommand.class, ResolverCommand.class,
        AuditCommand.class, ImportCommand.class, FederationCommand.class, CommandLine.HelpCommand.class})
public final class ServerholdCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    Logging.configure();
    System.exit(newCommandLine().execute(args));
  }

  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new ServerholdCommand());
    cl.setExecutionExceptionHandler(new ErrorHandler());
    return cl;
  }
}
