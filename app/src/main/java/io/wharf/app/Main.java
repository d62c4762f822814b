package io.wharf.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wharf} command line. */
@Command(
    name = "wharf",
    mixinStandardHelpOptions = true,
    version = "wharf 0.1.0",
    description = "A self-hosted container orchestrator built on the Amazon ECS model.",
    subcommands = {
      ServerCommand.class,
      AgentCommand.class,
      UpCommand.class,
      JoinTokenCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
