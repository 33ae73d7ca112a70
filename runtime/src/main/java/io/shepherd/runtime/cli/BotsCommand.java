package io.shepherd.runtime.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bots}: list bots with the jobs each holds. */
@Command(name = "bots", mixinStandardHelpOptions = true, description = "List bots and the jobs each holds (admin).")
public final class BotsCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Option(names = {"-s", "--status"}, description = "idle, busy, draining, lost, quarantined or offline")
    String status;

    @Override
    public Integer call() throws Exception {
        StringBuilder query = new StringBuilder();
        if (status != null) {
            JobsCommand.append(query, "status", status);
            query.setCharAt(0, '?');
        }
        return Remote.print(remote.get("/v1/bots" + query, true));
    }
}
