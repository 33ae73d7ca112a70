package io.shepherd.runtime.cli;

import io.shepherd.logging.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar shepherd.jar <command>}: the runtime and the runbook's commands. */
@Command(name = "shepherd",
        mixinStandardHelpOptions = true,
        version = "Shepherd 0.1.0",
        description = "A self-healing job runtime.",
        subcommands = {ServeCommand.class, SubmitCommand.class, JobsCommand.class, JobActionCommand.Retry.class,
                JobActionCommand.Cancel.class, EventsCommand.class, StatsCommand.class, BotsCommand.class,
                BotLeverCommand.Drain.class, BotLeverCommand.Undrain.class, BotLeverCommand.Revoke.class,
                ResetBotCommand.class, QueueCommands.Queues.class, QueueCommands.Pause.class, QueueCommands.Resume.class,
                QueueCommands.Limit.class, SchedulesCommand.class, RecoverCommand.class, HealthCommand.class, TrainCommand.class,
                picocli.AutoComplete.GenerateCompletion.class},
        footer = {"", "Output: a table on a terminal, JSON otherwise; -o table|wide|json chooses.",
                "Exit codes: 0 done, 1 refused by the runtime (the problem is printed) or unhealthy, 2 bad usage, "
                        + "3 runtime unreachable.",
                "Shell completion: source <(shepherd generate-completion)"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Logging.configure(logFormat(args));
        int code = commandLine().execute(args);
        if (code != 0 || args.length == 0 || !"serve".equals(args[0])) {
            System.exit(code);
        }
    }

    /** The command line with its error handling: what {@link #main} runs, and what tests run in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Main::report);
    }

    /** {@code --log-format text|json} anywhere on the command line, else the environment's choice. */
    static String logFormat(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--log-format=")) {
                return args[i].substring("--log-format=".length());
            }
            if (args[i].equals("--log-format") && i + 1 < args.length) {
                return args[i + 1];
            }
        }
        return null;
    }

    /** A bad configuration or an unreachable runtime is a message, not a stack trace. */
    private static int report(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        if (e instanceof Remote.Failure failure) {
            command.getErr().println("shepherd " + command.getCommandName() + ": " + failure.getMessage());
            return failure.exitCode;
        }
        if (e instanceof IllegalArgumentException) {
            command.getErr().println("shepherd " + command.getCommandName() + ": " + e.getMessage());
            return Remote.USAGE;
        }
        if (e instanceof java.io.IOException) {
            command.getErr().println("shepherd " + command.getCommandName() + ": " + e.getMessage());
        } else {
            command.getErr().println("shepherd " + command.getCommandName() + " failed:");
            e.printStackTrace(command.getErr());
        }
        return 1;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command (shepherd --help lists them)");
    }
}
