package io.shepherd.runtime.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bots}: the bots, their state and the jobs each holds. */
@Command(name = "bots", mixinStandardHelpOptions = true, description = "List bots and the jobs each holds (admin).")
public final class BotsCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Option(names = {"-s", "--status"}, description = "idle, busy, draining, lost, quarantined, offline or revoked")
    String status;

    @Override
    public Integer call() throws Exception {
        StringBuilder query = new StringBuilder();
        JobsCommand.append(query, "status", status);
        JsonObject answer = remote.read("/v1/bots" + query).asJsonObject();
        if (remote.json()) {
            Out.json(System.out, answer);
            return 0;
        }
        List<JsonObject> bots = answer.getJsonArray("bots").getValuesAs(JsonObject.class);
        Function<String, String> shortId = Out.shortIds(Out.column(bots, "id"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject b : bots) {
            List<String> row = new ArrayList<>(Arrays.asList(shortId.apply(b.getString("id")), b.getString("name"),
                    b.getString("status"), Integer.toString(b.getJsonArray("jobs").size()),
                    Out.ago(b.getString("lastHeartbeatAt"))));
            if (remote.wide()) {
                row.add(String.join(",", b.getJsonArray("types").getValuesAs(jakarta.json.JsonString.class).stream()
                        .map(jakarta.json.JsonString::getString).toList()));
                row.add(Out.s(b.get("labels")));
                row.add(Boolean.toString(b.getBoolean("drain", false)));
                row.add(Out.ago(b.getString("registeredAt")));
            }
            rows.add(row);
        }
        List<String> headers = new ArrayList<>(Arrays.asList("ID", "NAME", "STATUS", "JOBS", "HEARTBEAT"));
        if (remote.wide()) {
            headers.addAll(Arrays.asList("TYPES", "LABELS", "DRAIN", "REGISTERED"));
        }
        Out.table(System.out, headers, rows);
        return 0;
    }
}
