package io.shepherd.runtime.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code stats}: jobs and bots counted by status. */
@Command(name = "stats", mixinStandardHelpOptions = true, description = "Count jobs and bots by status (client).")
public final class StatsCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Override
    public Integer call() throws Exception {
        JsonObject stats = remote.read("/v1/stats").asJsonObject();
        return remote.show(stats, StatsCommand::print);
    }

    static void print(JsonObject stats) {
        List<List<String>> rows = new ArrayList<>();
        stats.getJsonObject("jobs").forEach((status, n) -> rows.add(Arrays.asList("jobs", status, n.toString())));
        stats.getJsonObject("bots").forEach((status, n) -> rows.add(Arrays.asList("bots", status, n.toString())));
        Out.table(System.out, Arrays.asList("OF", "STATUS", "COUNT"), rows);
    }
}
