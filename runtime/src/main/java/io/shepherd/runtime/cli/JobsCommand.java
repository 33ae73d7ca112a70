package io.shepherd.runtime.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jobs}: list jobs (filtered, a page at a time), or show one job with its event timeline. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "List jobs (newest pages by --after), or show one job and its event timeline (client).")
public final class JobsCommand implements Callable<Integer> {
    @Mixin
    Remote remote;

    @Parameters(arity = "0..1", paramLabel = "ID", description = "Show this job and its events")
    String id;

    @Option(names = {"-s", "--status"}, description = "pending, claimed, completed, dead or cancelled")
    String status;

    @Option(names = {"-t", "--type"}, description = "Only this job type")
    String type;

    @Option(names = {"-q", "--queue"}, description = "Only this queue")
    String queue;

    @Option(names = "--since", description = "Only jobs created since: 30m, 1h, 2d, or a time (2026-01-01T00:00:00Z)")
    String since;

    @Option(names = "--after", description = "The cursor a previous page printed, for the next page")
    String after;

    @Option(names = {"-n", "--limit"}, description = "At most this many (1..500)", defaultValue = "50")
    int limit;

    @Override
    public Integer call() throws Exception {
        return id != null ? show() : list();
    }

    private int show() throws Exception {
        String path = "/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        JsonObject job = remote.read(path).asJsonObject();
        JsonObject events = remote.read(path + "/events").asJsonObject();
        if (remote.json()) {
            Out.json(System.out, Json.createObjectBuilder().add("job", job).add("events", events.getJsonArray("events"))
                    .build());
            return 0;
        }
        List<List<String>> fields = new ArrayList<>();
        for (String f : Arrays.asList("id", "type", "queue", "status", "attempt", "maxAttempts", "priority", "claimedBy",
                "correlationId", "lastError")) {
            fields.add(Arrays.asList(f, Out.s(Out.text(job, f))));
        }
        for (String f : Arrays.asList("runAt", "createdAt", "updatedAt", "leaseExpiresAt", "timeoutAt")) {
            String at = Out.text(job, f);
            fields.add(Arrays.asList(f, at == null ? "-" : at + " (" + Out.ago(at) + ")"));
        }
        for (String f : Arrays.asList("payload", "progress", "result")) {
            fields.add(Arrays.asList(f, Out.s(job.get(f))));
        }
        Out.table(System.out, Arrays.asList("FIELD", "VALUE"), fields);
        System.out.println();
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject e : events.getJsonArray("events").getValuesAs(JsonObject.class)) {
            rows.add(Arrays.asList(Out.text(e, "at") + " (" + Out.ago(Out.text(e, "at")) + ")", Out.text(e, "kind"),
                    Out.s(Out.text(e, "reason")), Out.s(Out.text(e, "botId")), Out.text(e, "attempt")));
        }
        Out.table(System.out, Arrays.asList("AT", "EVENT", "REASON", "BOT", "ATTEMPT"), rows);
        return 0;
    }

    private int list() throws Exception {
        StringBuilder query = new StringBuilder("?limit=").append(limit);
        append(query, "status", status);
        append(query, "type", type);
        append(query, "queue", queue);
        append(query, "since", since == null ? null : Out.since(since).toString());
        append(query, "after", after);
        JsonObject page = remote.read("/v1/jobs" + query).asJsonObject();
        if (remote.json()) {
            Out.json(System.out, page);
            return 0;
        }
        List<JsonObject> jobs = page.getJsonArray("jobs").getValuesAs(JsonObject.class);
        Function<String, String> shortId = Out.shortIds(Out.column(jobs, "id"));
        Function<String, String> shortBot = Out.shortIds(Out.column(jobs, "claimedBy"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject j : jobs) {
            List<String> row = new ArrayList<>(Arrays.asList(shortId.apply(Out.text(j, "id")), Out.text(j, "type"),
                    Out.text(j, "queue"), Out.text(j, "status"), Out.text(j, "attempt") + "/" + Out.text(j, "maxAttempts"),
                    Out.s(shortBot.apply(Out.text(j, "claimedBy"))), Out.ago(Out.text(j, "updatedAt"))));
            if (remote.wide()) {
                row.add(Out.text(j, "priority"));
                row.add(Out.ago(Out.text(j, "createdAt")));
                row.add(Out.ago(Out.text(j, "timeoutAt")));
                row.add(Out.text(j, "correlationId"));
                row.add(Out.text(j, "lastError"));
            }
            rows.add(row);
        }
        List<String> headers = new ArrayList<>(Arrays.asList("ID", "TYPE", "QUEUE", "STATUS", "ATTEMPT", "BOT", "UPDATED"));
        if (remote.wide()) {
            headers.addAll(Arrays.asList("PRIORITY", "CREATED", "TIMES OUT", "CORRELATION", "LAST ERROR"));
        }
        Out.table(System.out, headers, rows);
        if (!page.isNull("next")) {
            System.out.println("(more: --after " + page.getString("next") + ")");
        }
        return 0;
    }

    static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.isEmpty() ? '?' : '&').append(name).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
