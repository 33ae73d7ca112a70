package io.shepherd.runtime.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code events}: the latest events of every job; {@code --follow} tails them live. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Show the latest events of every job; --follow keeps printing new ones as they happen (client).")
public final class EventsCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events (Ctrl-C stops)")
    boolean follow;

    @Option(names = {"-n", "--limit"}, description = "How many of the latest to show first (1..500)", defaultValue = "20")
    int limit;

    @Option(names = "--interval-ms", description = "How often --follow asks (default 1000)", defaultValue = "1000")
    long intervalMs;

    @Override
    public Integer call() throws Exception {
        JsonObject page = remote.read("/v1/events?limit=" + limit).asJsonObject();
        boolean header = true;
        String next = page.isNull("next") ? null : page.getString("next");
        print(page, header);
        while (follow) {
            header = header && page.getJsonArray("events").isEmpty();
            Thread.sleep(intervalMs);
            page = remote.read("/v1/events?limit=500" + (next == null ? "" : "&after=" + next)).asJsonObject();
            next = page.isNull("next") ? next : page.getString("next");
            print(page, header);
        }
        return 0;
    }

    /** One JSON object a line when following as JSON (a stream a script reads line by line); else table rows. */
    private void print(JsonObject page, boolean header) {
        List<JsonObject> events = page.getJsonArray("events").getValuesAs(JsonObject.class);
        if (remote.json()) {
            if (follow) {
                events.forEach(e -> System.out.println(e.toString()));
            } else {
                Out.json(System.out, page);
            }
            return;
        }
        if (events.isEmpty() && !header) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject e : events) {
            rows.add(Arrays.asList(e.getString("at"), e.getString("jobId"), e.getString("kind"),
                    Out.s(Out.text(e, "reason")), Out.s(Out.text(e, "botId")), Out.text(e, "attempt")));
        }
        if (header) {
            Out.table(System.out, Arrays.asList("AT", "JOB", "EVENT", "REASON", "BOT", "ATTEMPT"), rows);
        } else {
            rows.forEach(r -> System.out.println(String.join("  ", r)));
        }
        System.out.flush();
    }
}
